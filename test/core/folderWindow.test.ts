/**
 * The window of an open folder against a real server: how much it claims lies below it, and
 * what happens when the folder's UIDVALIDITY changes under it (RFC 3501 2.3.1.1: every UID
 * known before is void).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { ImapFlow } from 'imapflow';
import type { AccountSession } from '../../src/core/account/accountSession';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { aliceSession } from '../support/session';
import { nextEvent, until } from '../support/waitFor';

const PAGE = 4;

describe('the window of an open folder', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let session: AccountSession;
  let other: ImapFlow;

  const fill = async (folder: string, count: number) => {
    await server.createFolder('alice', folder);
    for (let i = 1; i <= count; i++) await server.deliver('alice', folder, simpleMessage(`${folder} ${i}`));
  };

  /** Runs `work` with the other client in `folder`. */
  const inFolderOf = async <T>(client: ImapFlow, folder: string, work: () => Promise<T>): Promise<T> => {
    const held = await client.getMailboxLock(folder);
    try {
      return await work();
    } finally {
      held.release();
    }
  };

  before(async () => {
    server = await startDovecot();
    await fill('Small', PAGE - 1);
    await fill('Exact', PAGE);
    await fill('OneMore', PAGE + 1);
    await server.createFolder('alice', 'Empty');
    session = aliceSession(server, { pageSize: PAGE, backoff: { initial: 200, max: 1_000 } });
    await session.connect();
    other = new ImapFlow({ host: '127.0.0.1', port: server.port, secure: false, auth: { user: 'alice', pass: 'secret' }, logger: false });
    other.on('error', () => undefined);
    await other.connect();
  });
  after(async () => {
    await other?.logout().catch(() => undefined);
    session?.dispose();
    await server?.stop();
  });

  describe('older mail', () => {
    it('a folder with fewer messages than a page claims nothing older', async () => {
      const page = await session.openFolder('Small');
      assert.equal(page.messages.length, PAGE - 1);
      assert.equal(page.hasOlder, false);
      assert.equal(session.loadedMessages('Small')?.hasOlder, false);
    });

    it('a folder of exactly one page claims nothing older', async () => {
      const page = await session.openFolder('Exact');
      assert.equal(page.messages.length, PAGE);
      assert.equal(page.hasOlder, false);
    });

    it('one message more than a page: older mail, and loading it ends the claim', async () => {
      const page = await session.openFolder('OneMore');
      assert.equal(page.messages.length, PAGE);
      assert.equal(page.hasOlder, true);
      const all = await session.loadOlder('OneMore');
      assert.deepEqual(all.messages.map((m) => m.subject), [5, 4, 3, 2, 1].map((i) => `OneMore ${i}`));
      assert.equal(all.hasOlder, false);
    });

    it('an empty folder claims nothing older', async () => {
      const page = await session.openFolder('Empty');
      assert.deepEqual(page.messages, []);
      assert.equal(page.hasOlder, false);
    });
  });

  describe('a changed UIDVALIDITY', () => {
    it('voids every message shown before and shows the folder anew', async () => {
      await fill('Recreated', 5);
      // Expunge the oldest three, so the old window holds UIDs the new folder will not reuse at once.
      const lock = await other.getMailboxLock('Recreated');
      try {
        await other.messageDelete('1:3', { uid: true });
      } finally {
        lock.release();
      }
      const before = await session.openFolder('Recreated');
      assert.deepEqual(before.messages.map((m) => m.uid), [5, 4]);

      // Elsewhere the folder gets new contents and then a new UIDVALIDITY, as a restore from a backup
      // does (doveadm sets it; deleting and making the folder again races Dovecot's index on a busy
      // machine). Dovecot closes every connection that has the folder open.
      const reset = nextEvent(session.onDidChangeMessages, (c) => c.folder === 'Recreated' && c.reset, 15_000, 'the reset of the window');
      const serverUids = await inFolderOf(other, 'Recreated', async () => {
        await other.messageDelete('1:*', { uid: true });
        await other.append('Recreated', simpleMessage('New 1'));
        await other.append('Recreated', simpleMessage('New 2'));
        return ((await other.search({ all: true }, { uid: true })) || []).sort((a, b) => b - a);
      });
      await other.mailboxOpen('INBOX');
      const newUidValidity = String(BigInt(before.uidValidity) + 1000n);
      execFileSync('doveadm', ['-c', path.join(server.dir, 'dovecot.conf'), 'mailbox', 'update', '-u', 'alice', '--uid-validity', newUidValidity, 'Recreated']);
      const change = await reset;

      const window = await until(() => {
        const w = session.loadedMessages('Recreated');
        return w && w.messages.length === 2 && w.messages.every((m) => m.uidValidity === newUidValidity) && w;
      }, 15_000, 'the window of the folder under its new UIDVALIDITY');
      assert.deepEqual(window.messages.map((m) => m.subject), ['New 2', 'New 1'], 'only what the folder holds now');
      assert.equal(serverUids.length, 2);
      assert.deepEqual(window.messages.map((m) => m.uid), serverUids);
      // The reset announces what the folder holds now, under the new UIDVALIDITY, as added.
      assert.ok(change.added.length > 0, 'the reset adds the folder\'s messages');
      assert.ok(change.added.every((m) => m.uidValidity === newUidValidity), 'every message added carries the new UIDVALIDITY');
      assert.equal(window.hasOlder, false);
    });
  });
});
