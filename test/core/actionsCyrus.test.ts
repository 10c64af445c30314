/**
 * The user's actions on Cyrus (MOVE, UIDPLUS, folders under INBOX with "." as delimiter, special
 * folders made at first login), checked by a second IMAP client: one UID MOVE for a selection,
 * archive and its undo through COPYUID, Trash, and delete for good in Trash.
 */
import * as assert from 'node:assert/strict';
import { shownSubjects, startActionWorld, uidsOf, type ActionWorld } from '../support/actionWorld';
import { until } from '../support/waitFor';

describe('actions on mail, on Cyrus', function () {
  this.timeout(180_000);
  let world: ActionWorld;
  let handle: ReturnType<ActionWorld['session']>;
  let archive: string;
  let trash: string;

  before(async () => {
    world = await startActionWorld('cyrus');
    await world.fill('INBOX.Cy', 'Cy', 120);
    handle = world.session();
    await handle.session.connect();
    const folders = await handle.session.wholeFolderTree();
    const all = (list: typeof folders): typeof folders => list.flatMap((f) => [f, ...all(f.children)]);
    archive = all(folders).find((f) => f.specialUse === 'archive')!.path;
    trash = all(folders).find((f) => f.specialUse === 'trash')!.path;
    await handle.session.openFolder('INBOX.Cy');
    while (handle.session.loadedMessages('INBOX.Cy')!.hasOlder) await handle.session.loadOlder('INBOX.Cy');
  });
  after(async () => world?.stop());

  it('archives a selection of 100 with one UID MOVE, and undoes it through COPYUID', async () => {
    const subjects = Array.from({ length: 100 }, (_, i) => `Cy ${i + 1}`);
    const uids = uidsOf(handle.session, 'INBOX.Cy', subjects);
    world.transcript.length = 0;
    const receipt = handle.session.archive('INBOX.Cy', uids);
    assert.equal(shownSubjects(handle.session, 'INBOX.Cy').length, 20, 'shown at once');
    await handle.session.whenDone(receipt.id);
    assert.equal(world.transcript.filter((l) => /^C: \S+ UID MOVE /.test(l)).length, 1);
    assert.equal((await world.subjectsOnServer('INBOX.Cy')).length, 20);
    assert.equal((await world.subjectsOnServer(archive)).filter((s) => s.startsWith('Cy ')).length, 100);

    const undone = await handle.session.undo(receipt.id);
    await handle.session.whenDone(undone!.id);
    assert.equal((await world.subjectsOnServer('INBOX.Cy')).length, 120);
    assert.equal((await world.subjectsOnServer(archive)).filter((s) => s.startsWith('Cy ')).length, 0);
    await until(() => shownSubjects(handle.session, 'INBOX.Cy').length === 120, 15_000, 'the rows back in the window');
  });

  it('moves to Trash, then deletes for good in Trash', async () => {
    const uids = uidsOf(handle.session, 'INBOX.Cy', ['Cy 101', 'Cy 102']);
    await handle.session.whenDone(handle.session.deleteMessages('INBOX.Cy', uids).id);
    assert.deepEqual((await world.subjectsOnServer(trash)).filter((s) => s.startsWith('Cy ')), ['Cy 101', 'Cy 102']);
    await handle.session.openFolder(trash);
    const inTrash = uidsOf(handle.session, trash, ['Cy 101']);
    await handle.session.whenDone(handle.session.deleteMessages(trash, inTrash, { forGood: true }).id);
    assert.deepEqual((await world.subjectsOnServer(trash)).filter((s) => s.startsWith('Cy ')), ['Cy 102']);
  });
});
