/**
 * The window of an open folder against a real server: how much it claims lies below it, and
 * what happens when the folder's UIDVALIDITY changes under it (RFC 3501 2.3.1.1: every UID
 * known before is void).
 */
import * as assert from 'node:assert/strict';
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

  /**
   * Dovecot can answer "Mailbox was deleted under us" for a moment after a folder is deleted and
   * made again (its index of the old folder is closed lazily, most often on a busy machine). Such
   * a step is tried again; every other refusal fails the test with the server's words.
   */
  const settled = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await step();
      } catch (error) {
        const text = String((error as { responseText?: string }).responseText ?? '');
        if (attempt >= 20 || !/deleted under us/i.test(text)) throw new Error(`${what}: ${text || String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };

  /** Deletes a folder from the other client and makes it again with the given messages. */
  const recreate = async (folder: string, subjects: string[]) => {
    await other.mailboxOpen('INBOX');
    await settled(`deleting ${folder}`, () => other.mailboxDelete(folder));
    await settled(`making ${folder} again`, () => other.mailboxCreate(folder));
    for (const subject of subjects) await settled(`appending to ${folder}`, () => other.append(folder, simpleMessage(subject)));
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

      // The folder is deleted and made again elsewhere (a restore, another client): new UIDVALIDITY, UIDs from 1.
      const reset = nextEvent(session.onDidChangeMessages, (c) => c.folder === 'Recreated' && c.reset, 15_000, 'the reset of the window');
      await recreate('Recreated', ['New 1', 'New 2']);
      const scheduled = session.catchUpFolder('Recreated').catch(() => undefined);
      const change = await reset;
      await scheduled;

      // Both new messages, and only those: at once, or after the session retried a catch-up the
      // server refused while the old folder's index was still being let go.
      const window = await until(() => {
        const w = session.loadedMessages('Recreated');
        return w && w.messages.length >= 2 && w;
      }, 15_000, 'both new messages in the window');
      assert.deepEqual(window.messages.map((m) => m.subject), ['New 2', 'New 1'], 'only the new folder\'s messages');
      // The UIDs the new folder has on the server (Dovecot may start them above 1).
      const newLock = await settled('selecting the new folder', () => other.getMailboxLock('Recreated'));
      let serverUids: number[];
      try {
        serverUids = ((await other.search({ all: true }, { uid: true })) || []).sort((a, b) => b - a);
      } finally {
        newLock.release();
      }
      assert.equal(serverUids.length, 2);
      assert.deepEqual(window.messages.map((m) => m.uid), serverUids);
      const uidValidity = window.messages[0].uidValidity;
      assert.notEqual(uidValidity, before.uidValidity);
      assert.ok(window.messages.every((m) => m.uidValidity === uidValidity));
      // The reset announces the new folder's messages as added (both, or the first if it came between the appends).
      assert.ok(change.added.length > 0, 'the reset adds the new folder\'s messages');
      assert.ok(change.added.every((m) => m.subject === 'New 1' || m.subject === 'New 2'), 'the reset adds only new messages');
      assert.equal(window.hasOlder, false);
    });
  });
});
