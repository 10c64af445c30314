/**
 * Moves on servers without MOVE (RFC 6851): COPY, then \Deleted and UID EXPUNGE of exactly those
 * UIDs (RFC 4315), never a bare EXPUNGE that would take other clients' \Deleted mail too; a link
 * cut between the COPY and the EXPUNGE leaves the mail in at least one folder and the mirror as the
 * server is after the reconnect. Without UIDPLUS the move is refused until the user accepts the
 * bare EXPUNGE. Against capability-trimmed Dovecots, checked by a second IMAP client.
 */
import * as assert from 'node:assert/strict';
import { ActionNeedsConfirmation } from '../../src/core';
import { until } from '../support/waitFor';
import { shownSubjects, startActionWorld, uidsOf, type ActionWorld } from '../support/actionWorld';

const DOVECOT_WITHOUT_MOVE =
  'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT UIDPLUS NAMESPACE CHILDREN LIST-EXTENDED ESEARCH LIST-STATUS BINARY LITERAL+ SPECIAL-USE CONDSTORE QRESYNC';
const DOVECOT_WITHOUT_UIDPLUS = DOVECOT_WITHOUT_MOVE.replace(' UIDPLUS', '');

describe('moves without MOVE: COPY, \\Deleted, UID EXPUNGE', function () {
  this.timeout(120_000);
  let world: ActionWorld;
  let handle: ReturnType<ActionWorld['session']>;

  before(async () => {
    world = await startActionWorld(DOVECOT_WITHOUT_MOVE);
    for (const folder of ['Copy', 'CutStore', 'CutCopy']) await world.fill(folder, folder, 4);
    handle = world.session();
    await handle.session.connect();
  });
  after(async () => world?.stop());

  it('copies, marks and expunges exactly the moved UIDs; another client\'s \\Deleted mail stays', async () => {
    await handle.session.openFolder('Copy');
    await world.other.mailboxOpen('Copy');
    const theirs = (await world.other.search({ header: { subject: 'Copy 4' } }, { uid: true })) as number[];
    await world.other.messageFlagsAdd(theirs, ['\\Deleted'], { uid: true });
    const uids = uidsOf(handle.session, 'Copy', ['Copy 1', 'Copy 2']);
    world.transcript.length = 0;
    await handle.session.whenDone(handle.session.archive('Copy', uids).id);
    const wire = world.transcript.filter((l) => /^C: \S+ (UID )?(COPY|MOVE|STORE|EXPUNGE)/.test(l)).map((l) => l.replace(/^C: \S+ /, ''));
    assert.deepEqual(wire, [`UID COPY ${uids[0]}:${uids[1]} Archive`, `UID STORE ${uids[0]}:${uids[1]} +FLAGS (\\Deleted)`, `UID EXPUNGE ${uids[0]}:${uids[1]}`]);
    assert.deepEqual(await world.subjectsOnServer('Copy'), ['Copy 3', 'Copy 4']);
    assert.deepEqual((await world.subjectsOnServer('Archive')).filter((s) => s.startsWith('Copy')), ['Copy 1', 'Copy 2']);
  });

  for (const [folder, cutAt] of [
    ['CutStore', /^\S+ UID STORE .*\\Deleted/],
    ['CutCopy', /^\S+ UID COPY /],
  ] as const) {
    it(`leaves the mail in at least one folder when the link is cut at ${cutAt.source.includes('COPY') ? 'the COPY' : 'the \\Deleted after the COPY'}, and finishes after the reconnect`, async () => {
      await handle.session.openFolder(folder);
      const uids = uidsOf(handle.session, folder, [`${folder} 1`, `${folder} 2`]);
      const cut = world.proxy.cutWhenClientSends(cutAt);
      const receipt = handle.session.archive(folder, uids);
      await cut;
      // Between the cut and the reconnect: nothing lost on the server.
      const inSource = (await world.subjectsOnServer(folder)).filter((s) => s === `${folder} 1`).length;
      const inArchive = (await world.subjectsOnServer('Archive')).filter((s) => s === `${folder} 1`).length;
      assert.ok(inSource + inArchive >= 1, 'the mail is somewhere');
      await handle.session.whenDone(receipt.id);
      assert.deepEqual(await world.subjectsOnServer(folder), [`${folder} 3`, `${folder} 4`]);
      // Once: the COPY was recorded before the cut, or never reached the server.
      assert.deepEqual((await world.subjectsOnServer('Archive')).filter((s) => s.startsWith(folder)), [`${folder} 1`, `${folder} 2`]);
      await until(async () => (await handle.session.catchUpFolder(folder)) && shownSubjects(handle.session, folder).length === 2, 10_000, 'the window as the server');
      assert.deepEqual(shownSubjects(handle.session, folder), [`${folder} 3`, `${folder} 4`]);
      assert.equal(handle.cache.uids(folder).length, 2);
    });
  }
});

describe('moves without MOVE and UIDPLUS', function () {
  this.timeout(120_000);
  let world: ActionWorld;
  let handle: ReturnType<ActionWorld['session']>;

  before(async () => {
    // A server without UIDPLUS says no COPYUID (Dovecot says it anyway: the proxy takes it out).
    world = await startActionWorld(DOVECOT_WITHOUT_UIDPLUS, { stripCopyUid: true });
    await world.fill('Plain', 'Plain', 4);
    handle = world.session();
    await handle.session.connect();
    await handle.session.openFolder('Plain');
  });
  after(async () => world?.stop());

  it('refuses to move until the user accepts that other clients\' \\Deleted mail goes too', async () => {
    const uids = uidsOf(handle.session, 'Plain', ['Plain 1']);
    world.transcript.length = 0;
    assert.throws(() => handle.session.archive('Plain', uids), (err: unknown) => err instanceof ActionNeedsConfirmation && err.reason === 'bare-expunge');
    assert.throws(() => handle.session.deleteMessages('Trash', [1], { forGood: true }), ActionNeedsConfirmation);
    assert.deepEqual(shownSubjects(handle.session, 'Plain'), ['Plain 1', 'Plain 2', 'Plain 3', 'Plain 4'], 'nothing changed');
    assert.deepEqual(handle.session.pendingActions(), []);

    const accepted = handle.session.archive('Plain', uids, { allowBareExpunge: true });
    await handle.session.whenDone(accepted.id);
    assert.deepEqual(await world.subjectsOnServer('Plain'), ['Plain 2', 'Plain 3', 'Plain 4']);
    assert.ok(world.transcript.some((l) => /^C: \S+ EXPUNGE$/.test(l)), 'the bare EXPUNGE, as accepted');
  });

  it('undoes a move by Message-ID in the target when the server gave no COPYUID', async () => {
    const uids = uidsOf(handle.session, 'Plain', ['Plain 2']);
    await handle.session.whenDone(handle.session.archive('Plain', uids, { allowBareExpunge: true }).id);
    world.transcript.length = 0;
    const undone = await handle.session.undo();
    await handle.session.whenDone(undone!.id);
    assert.deepEqual(await world.subjectsOnServer('Plain'), ['Plain 2', 'Plain 3', 'Plain 4']);
    assert.deepEqual((await world.subjectsOnServer('Archive')).filter((s) => s === 'Plain 2'), []);
    const wire = world.transcript.filter((l) => /^C: \S+ (UID SEARCH|UID COPY)/.test(l)).map((l) => l.replace(/^C: \S+ /, ''));
    assert.equal(wire.length, 2, wire.join('\n'));
    assert.match(wire[0], /^UID SEARCH HEADER Message-ID "?<[^>]+>"?$/i);
    assert.match(wire[1], /^UID COPY \d+ Plain$/);
  });
});
