/**
 * A folder deleted and made again elsewhere under the same name is another folder (a new
 * UIDVALIDITY, RFC 3501 2.3.1.1) whose MODSEQs start anew (RFC 7162 3.1.1). Its reports are news,
 * however low their HIGHESTMODSEQ: the open folder follows the new one at once, window and whole
 * mirror, with NOTIFY (Dovecot), with NOTIFY hidden (polling), and on Cyrus (no NOTIFY).
 */
import * as assert from 'node:assert/strict';
import type { AccountSession } from '../../src/core/account/accountSession';
import { MailCache } from '../../src/core/cache/mailCache';
import { silentLog } from '../../src/core/imap/log';
import { startCyrus } from '../support/cyrus';
import { startDovecot } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { withOtherClient } from '../support/otherClient';
import { userSession, type TestImapServer } from '../support/session';
import { until } from '../support/waitFor';

/** How soon an open folder follows a change elsewhere, with NOTIFY or a poll every second. */
const LIVE_MS = 5_000;

interface Server extends TestImapServer {
  deliver(user: string, folder: string, raw: string | Buffer): Promise<void>;
  createFolder(user: string, path: string): Promise<void>;
  stop(): Promise<void>;
}

function recreatedSuite(name: string, start: () => Promise<Server>, folder: (name: string) => string, notify: boolean): void {
  describe(`a folder deleted and made again elsewhere, ${name}`, function () {
    this.timeout(60_000);
    let server: Server;
    let session: AccountSession;
    let cache: MailCache;
    const busy = folder('Busy');
    const quiet = folder('Quiet');

    before(async () => {
      server = await start();
      for (const path of [busy, quiet]) {
        await server.createFolder('alice', path);
        for (let i = 1; i <= 3; i++) await server.deliver('alice', path, simpleMessage(`Old ${path} ${i}`));
      }
    });
    after(async () => {
      session?.dispose();
      cache?.close();
      await server?.stop();
    });

    it('shows exactly the new folder, in the window and in the whole mirror', async () => {
      cache = new MailCache(MailCache.IN_MEMORY, { log: silentLog, maxBodyBytes: 0 });
      session = userSession(server, 'alice', { cache, notify, pollInterval: 1, watchedPollSeconds: 1, watchedFolders: [busy, quiet] });
      await session.connect();
      // INBOX last: selected on both connections, so the two folders are followed by their reports
      // alone (a server may close a connection whose selected folder is deleted, and a reconnect
      // catches every open folder up, which would hide what is tested here).
      for (const path of [busy, quiet, 'INBOX']) await session.openFolder(path);
      // The busy folder's HIGHESTMODSEQ climbs far above where a new folder starts.
      await withOtherClient(server, 'alice', async (other) => {
        await other.mailboxOpen(busy);
        for (let i = 0; i < 60; i++) await other.messageFlagsAdd(String((i % 3) + 1), [`$k${i}`]);
      });
      await until(() => [1, 2, 3].some((uid) => cache.message(busy, uid)?.keywords?.includes('$k59')), LIVE_MS, 'the last keyword in the mirror');
      const oldValidity = cache.folder(busy)?.uidValidity;

      const made: Record<string, { uidValidity: string; uid: number }> = {};
      await withOtherClient(server, 'alice', async (other) => {
        for (const path of [busy, quiet]) {
          await other.mailboxDelete(path);
          await other.mailboxCreate(path);
        }
        for (const path of [busy, quiet]) {
          const appended = await other.append(path, simpleMessage(`New ${path}`));
          assert.ok(appended && appended.uid && appended.uidValidity, 'the server names the new message (UIDPLUS)');
          made[path] = { uidValidity: appended.uidValidity.toString(), uid: appended.uid };
        }
      });
      assert.notEqual(made[busy].uidValidity, oldValidity, 'the folder made again has a new UIDVALIDITY');

      for (const path of [busy, quiet]) {
        await until(
          () => {
            const window = session.loadedMessages(path)?.messages ?? [];
            return window.length === 1 && window[0].subject === `New ${path}` && cache.folder(path)?.uidValidity === made[path].uidValidity;
          },
          LIVE_MS,
          `${path} showing only the new folder's message`,
        );
        assert.deepEqual(cache.uids(path), [made[path].uid], `the whole mirror of ${path} is the new folder`);
        assert.equal(session.countsOf(path)?.messages, 1);
      }
      // And it goes on following the new folder, whose MODSEQs are still below the old one's.
      for (const path of [busy, quiet]) await server.deliver('alice', path, simpleMessage(`Newer ${path}`));
      for (const path of [busy, quiet]) {
        await until(
          () => session.loadedMessages(path)?.messages.map((m) => m.subject).join() === `Newer ${path},New ${path}`,
          LIVE_MS,
          `${path} showing the second new message`,
        );
        assert.equal(cache.uids(path).length, 2);
        assert.equal(session.countsOf(path)?.messages, 2);
      }
    });
  });
}

recreatedSuite('with NOTIFY (Dovecot)', () => startDovecot(), (name) => name, true);
recreatedSuite('with NOTIFY hidden (Dovecot, polling)', () => startDovecot(), (name) => name, false);
recreatedSuite('on Cyrus (polling)', () => startCyrus({ idled: true }), (name) => `INBOX.${name}`, true);
