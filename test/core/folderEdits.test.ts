/**
 * Folders made, renamed and deleted from Mailroom, on Dovecot ("/" at the top) and Cyrus (under
 * INBOX with "."), checked by a second IMAP client (the server's truth, subscriptions included):
 * the tree follows at once, the mirror of a renamed or deleted folder goes with it, and names the
 * server could not list back as themselves are refused in plain words before anything is sent.
 */
import * as assert from 'node:assert/strict';
import type { FolderInfo } from '../../src/core';
import { simpleMessage } from '../support/fixtures';
import { startActionWorld, type ActionWorld } from '../support/actionWorld';
import { until } from '../support/waitFor';

const flat = (list: readonly FolderInfo[]): FolderInfo[] => list.flatMap((f) => [f, ...flat(f.children)]);

for (const kind of ['dovecot', 'cyrus'] as const) {
  describe(`folders made, renamed and deleted, on ${kind === 'dovecot' ? 'Dovecot' : 'Cyrus'}`, function () {
    this.timeout(180_000);
    let world: ActionWorld;
    let handle: ReturnType<ActionWorld['session']>;

    before(async () => {
      world = await startActionWorld(kind === 'cyrus' ? 'cyrus' : undefined);
      handle = world.session();
      await handle.session.connect();
      await handle.session.wholeFolderTree();
    });
    after(async () => world?.stop());

    const onServer = async () => (await world.other.list()).map((f) => f.path);
    const subscribed = async () => (await world.other.list({ statusQuery: undefined })).filter((f) => f.subscribed).map((f) => f.path);
    const shown = () => flat(handle.session.folders).map((f) => f.path);

    it('makes a folder at the top and one inside it, with the server\'s delimiter, subscribed and shown at once', async () => {
      const top = await handle.session.createFolder(undefined, 'Projects');
      const inner = await handle.session.createFolder(top, 'Mailroom');
      const delimiter = kind === 'cyrus' ? '.' : '/';
      assert.equal(inner, `${top}${delimiter}Mailroom`);
      if (kind === 'cyrus') assert.equal(top, 'INBOX.Projects');
      assert.ok((await onServer()).includes(inner), 'on the server');
      assert.ok((await subscribed()).includes(inner), 'subscribed');
      assert.ok(shown().includes(top) && shown().includes(inner), 'in the tree');
    });

    it('renames a folder that was opened: its subfolders move with it, the old mirror goes, the new one fills', async () => {
      const top = shown().find((p) => p.endsWith('Projects'))!;
      const inner = shown().find((p) => p.endsWith('Mailroom'))!;
      await world.other.append(inner, simpleMessage('kept through the rename'));
      await handle.session.openFolder(inner);
      // The first page is stored right after it is shown.
      await until(() => handle.cache.folder(inner)?.syncedFrom !== undefined, 10_000, 'the folder mirrored before');
      const renamed = await handle.session.renameFolder(top, 'Work');
      const movedInner = `${renamed}${kind === 'cyrus' ? '.' : '/'}Mailroom`;
      const paths = await onServer();
      assert.ok(paths.includes(renamed) && paths.includes(movedInner), `renamed on the server: ${paths.join(', ')}`);
      assert.ok(!paths.includes(top));
      assert.ok(!shown().includes(top) && shown().includes(movedInner), 'the tree follows');
      assert.equal(handle.cache.folder(inner), undefined, 'the old mirror is gone');
      assert.equal(handle.session.loadedMessages(inner), undefined, 'the old window is closed');
      const page = await handle.session.openFolder(movedInner);
      assert.deepEqual(page.messages.map((m) => m.subject), ['kept through the rename']);
      assert.ok((await subscribed()).includes(movedInner), 'the subscription moved');
    });

    it('deletes a folder for good, its mirror and its subscription with it', async () => {
      const inner = shown().find((p) => p.endsWith('Mailroom'))!;
      await handle.session.deleteFolder(inner);
      assert.ok(!(await onServer()).includes(inner));
      assert.ok(!(await subscribed()).includes(inner));
      assert.ok(!shown().includes(inner));
      assert.equal(handle.cache.folder(inner), undefined);
    });

    it('refuses, in plain words and before asking the server, what cannot be a folder name or the inbox', async () => {
      world.transcript.length = 0;
      const delimiter = kind === 'cyrus' ? '.' : '/';
      await assert.rejects(handle.session.createFolder(undefined, ''), /needs a name/);
      await assert.rejects(handle.session.createFolder(undefined, `a${delimiter}b`), /cannot hold/);
      await assert.rejects(handle.session.createFolder(undefined, 'all*'), /cannot hold %, \*/);
      await assert.rejects(handle.session.renameFolder('INBOX', 'Other'), /inbox cannot be renamed/);
      await assert.rejects(handle.session.deleteFolder('INBOX'), /inbox cannot be deleted/);
      assert.equal(world.transcript.filter((l) => /^C: \S+ (CREATE|RENAME|DELETE) /.test(l)).length, 0);
    });

    it('says what the server refused: a folder that is there already', async () => {
      const made = await handle.session.createFolder(undefined, 'Twice');
      const before = shown().length;
      await assert.rejects(handle.session.createFolder(undefined, 'Twice'), /there already|already exists/);
      assert.equal(shown().length, before);
      assert.ok((await onServer()).includes(made));
    });
  });
}
