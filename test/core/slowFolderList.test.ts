/**
 * A server slow to list its folders. On a first connect to an account with 100,000 folders at the
 * top level, Dovecot sends the first line of its LIST only after 18 s or more (it reads and sorts
 * every folder first; `scripts/manyFolders.ts`), while a SELECT or STATUS of INBOX on another
 * connection answers in 2 ms. So the top level is listed on the listening connection, before its
 * watcher starts, and a connect whose LIST has said nothing after `firstFoldersWaitMs` goes on with
 * INBOX: it is shown, counted and opened on the command connection at once; the other folders, and
 * the watcher, come when the LIST ends.
 *
 * The proxy holds the LIST's whole answer here, as long as the test likes, on Dovecot and on Cyrus.
 */
import * as assert from 'node:assert/strict';
import type { AccountSession } from '../../src/core/account/accountSession';
import { flattenFolders } from '../../src/core/model/folders';
import { startCyrus } from '../support/cyrus';
import { startDovecot } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { startImapProxy, type ImapProxy } from '../support/imapProxy';
import { aliceSession, type TestImapServer } from '../support/session';
import { until } from '../support/waitFor';

/** The top level's LIST as imapflow writes it (on Cyrus with its namespace "INBOX." as the reference). */
const TOP_LEVEL_LIST = / LIST "(INBOX\.)?" "?%"?$/;
/** What a person waits for the first folders (issue 13: within 2 s). */
const FIRST_FOLDERS_MS = 2_000;

interface Server extends TestImapServer {
  deliver(user: string, folder: string, raw: string | Buffer): Promise<void>;
  createFolder(user: string, path: string): Promise<void>;
  stop(): Promise<void>;
}

function slowListSuite(serverName: string, start: () => Promise<Server>, folder: (name: string) => string): void {
  describe(`${serverName}, a server that holds its answer to LIST`, function () {
    this.timeout(60_000);
    let server: Server;
    let proxy: ImapProxy;
    let session: AccountSession | undefined;
    const work = folder('Work');

    before(async () => {
      server = await start();
      await server.createFolder('alice', work);
      for (let i = 1; i <= 3; i++) await server.deliver('alice', 'INBOX', simpleMessage(`Inbox ${i}`));
      await server.deliver('alice', work, simpleMessage('Work 1'));
    });
    beforeEach(async () => {
      proxy = await startImapProxy(server.port);
    });
    afterEach(async () => {
      session?.dispose();
      session = undefined;
      await proxy?.stop();
    });
    after(async () => {
      await server?.stop();
    });

    it('shows, counts and opens INBOX within 2 s, then the other folders and live news once the LIST ends', async () => {
      const held = proxy.holdAfterWhenClientSends(TOP_LEVEL_LIST, 0);
      session = aliceSession({ ...server, port: proxy.port });
      const s = session;
      const started = Date.now();
      await s.connect();
      const online = Date.now() - started;
      assert.ok(online < FIRST_FOLDERS_MS, `online after ${online} ms while the LIST was held (bound ${FIRST_FOLDERS_MS} ms)`);
      const letGo = await held;
      assert.deepEqual(s.folders.map((f) => f.path), ['INBOX'], 'INBOX alone while the LIST is held');
      assert.equal(s.listingFolders, true);
      assert.equal(s.foldersComplete, false);
      // The command connection is not held by the LIST: INBOX counts and opens at once.
      await until(() => s.countsOf('INBOX'), 1_000, 'the counts of INBOX while the LIST is held');
      assert.deepEqual(s.countsOf('INBOX'), { path: 'INBOX', messages: 3, unseen: 3 });
      const page = await s.openFolder('INBOX');
      assert.deepEqual(page.messages.map((m) => m.subject), ['Inbox 3', 'Inbox 2', 'Inbox 1']);
      assert.ok(Date.now() - started < FIRST_FOLDERS_MS + 1_000, `INBOX opened ${Date.now() - started} ms after the connect began`);

      letGo();
      await until(() => s.folder(work) && !s.listingFolders, 10_000, `${work} listed once the LIST was let go`);
      const whole = flattenFolders(await s.wholeFolderTree()).map((f) => f.path);
      assert.ok(whole.includes(work) && whole.includes('INBOX'), `the whole list replaced INBOX alone: ${whole.join(', ')}`);
      // The watcher started after the listing: news of INBOX arrives live.
      await server.deliver('alice', 'INBOX', simpleMessage('After the list'));
      await until(() => s.loadedMessages('INBOX')?.messages.some((m) => m.subject === 'After the list'), 10_000, 'new mail in the open INBOX');
    });

    it('keeps INBOX and stays usable when the held LIST is cut, and lists again on the reconnect', async () => {
      const held = proxy.holdAfterWhenClientSends(TOP_LEVEL_LIST, 0);
      session = aliceSession({ ...server, port: proxy.port }, { backoff: { initial: 100, max: 100 } });
      const s = session;
      await s.connect();
      await held;
      assert.deepEqual(s.folders.map((f) => f.path), ['INBOX']);
      proxy.cutAll();
      await until(() => s.connectionState.kind === 'offline', 5_000, 'offline after the cut');
      assert.deepEqual(s.folders.map((f) => f.path), ['INBOX'], 'a LIST cut short took INBOX away');
      await assert.rejects(s.wholeFolderTree(), /offline|lost/, 'the whole list was taken from a LIST cut short');
      await until(() => s.connectionState.kind === 'online' && s.folder(work) && !s.listingFolders, 20_000, `${work} listed after the reconnect`);
    });

    it('does not wait at all for a LIST that answers at once', async () => {
      session = aliceSession({ ...server, port: proxy.port }, { firstFoldersWaitMs: 60_000 });
      await session.connect();
      assert.ok(session.folder(work), `${work} listed by the time the connect resolves`);
      assert.equal(session.listingFolders, false);
    });
  });
}

slowListSuite('Dovecot', () => startDovecot(), (name) => name);
slowListSuite('Cyrus', () => startCyrus(), (name) => `INBOX.${name}`);
