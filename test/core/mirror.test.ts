/**
 * The mirror of an opened folder against a real Dovecot, on each of the three paths a server
 * allows: QRESYNC, CONDSTORE without QRESYNC, and neither (Dovecot's `imap_capability` hides what
 * the server has). Each time: the folder becomes whole in the background; the session goes, another
 * client changes flags, expunges and appends; a new session on the same mirror file shows the folder
 * before it connects, then follows the server to an exact copy; a link cut in the middle of the sync
 * loses nothing.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImapFlow } from 'imapflow';
import { AccountSession } from '../../src/core/account/accountSession';
import { MailCache } from '../../src/core/cache/mailCache';
import { silentLog, type MailLog } from '../../src/core/imap/log';
import { fillMirror, syncMirror, type SyncPath } from '../../src/core/sync/folderMirror';
import type { MirrorProgress } from '../../src/core/sync/mirrorFill';
import { startCyrus } from '../support/cyrus';
import { COURIER_LIKE_CAPABILITIES, startDovecot } from '../support/dovecot';
import { startImapProxy, type ImapProxy } from '../support/imapProxy';
import { nextEvent, until } from '../support/waitFor';

/** A server the test starts and stops, with its folder for the test. */
interface TestServer {
  port: number;
  password: string;
  folder: string;
  stop(): Promise<void>;
}
const PAGE = 20;
/** Three chunks of the background fill (CHUNK), the last one short. */
const COUNT = 1_250;
const CHUNK = 500;

const DOVECOT_CAPABILITIES = 'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE';

const dovecot = (capabilities?: string) => async (): Promise<TestServer> => {
  const server = await startDovecot({ capabilities });
  return { port: server.port, password: server.users.alice, folder: 'Notifications', stop: () => server.stop() };
};

const VARIANTS: { name: string; start: () => Promise<TestServer>; path: SyncPath }[] = [
  { name: 'QRESYNC (Dovecot)', start: dovecot(), path: 'qresync' },
  { name: 'CONDSTORE without QRESYNC (Dovecot)', start: dovecot(`${DOVECOT_CAPABILITIES} CONDSTORE`), path: 'condstore' },
  { name: 'neither CONDSTORE nor QRESYNC (Dovecot)', start: dovecot(COURIER_LIKE_CAPABILITIES), path: 'flags' },
  {
    name: 'QRESYNC (Cyrus)',
    start: async () => {
      const server = await startCyrus();
      return { port: server.port, password: server.users.alice, folder: 'INBOX.Notifications', stop: () => server.stop() };
    },
    path: 'qresync',
  },
];

/** A GitHub notification, with the headers the mirror keeps for grouping. */
function notification(i: number): string {
  return [
    `From: GitHub <notifications@github.com>`,
    `To: alice@example.test`,
    `Subject: [acme/widgets] Issue #${i}`,
    `Date: ${new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toUTCString()}`,
    `Message-ID: <acme/widgets/issues/${i}@github.com>`,
    `References: <acme/widgets/issues/${i - 1}@github.com>`,
    `List-ID: acme/widgets <widgets.acme.github.com>`,
    `X-GitHub-Reason: ${i % 2 ? 'mention' : 'subscribed'}`,
    `MIME-Version: 1.0`,
    `Content-Type: text/plain; charset=utf-8`,
    ``,
    `Body ${i}`,
    ``,
  ].join('\r\n');
}

for (const variant of VARIANTS) {
  describe(`the mirror of a folder on a server with ${variant.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let FOLDER: string;
    let proxy: ImapProxy;
    let other: ImapFlow;
    let dir: string;
    let cache: MailCache | undefined;
    let session: AccountSession | undefined;

    /** How each sync checked the folder, as the session logs it. */
    const syncs: string[] = [];
    const keep = (line: string) => void (/\(sync: /.test(line) && syncs.push(line));
    const syncLog: MailLog = { ...silentLog, debug: keep, info: keep };
    const newSession = () => {
      cache = new MailCache(path.join(dir, 'mirror.sqlite'), { log: silentLog, maxBodyBytes: 1_000_000 });
      session = new AccountSession(
        { id: 'alice', name: 'Alice', host: '127.0.0.1', port: proxy.port, security: 'none', user: 'alice' },
        server.password,
        { log: syncLog, cache, pageSize: PAGE, fillChunk: CHUNK, pollInterval: 600, backoff: { initial: 100, max: 500 } },
      );
      return session;
    };
    const endSession = () => {
      session?.dispose();
      cache?.close();
      session = undefined;
      cache = undefined;
    };

    /** What the server has now: UID → flags, as the mirror writes them. */
    const serverState = async () => {
      const lock = await other.getMailboxLock(FOLDER);
      try {
        const state = new Map<number, string>();
        for (const m of await other.fetchAll('1:*', { uid: true, flags: true }, { uid: true })) {
          state.set(m.uid, `seen=${m.flags?.has('\\Seen')} flagged=${m.flags?.has('\\Flagged')}`);
        }
        return state;
      } finally {
        lock.release();
      }
    };
    const mirrorState = () => {
      const state = new Map<number, string>();
      for (const m of cache!.window(FOLDER, 1)) state.set(m.uid, `seen=${m.flags.seen} flagged=${m.flags.flagged}`);
      return state;
    };
    const differences = async () => {
      const truth = await serverState();
      const mine = mirrorState();
      const found: string[] = [];
      for (const [uid, flags] of truth) if (mine.get(uid) !== flags) found.push(`UID ${uid}: server ${flags}, mirror ${mine.get(uid) ?? 'missing'}`);
      for (const uid of mine.keys()) if (!truth.has(uid)) found.push(`UID ${uid}: gone from the server, still in the mirror`);
      return found;
    };
    const untilExact = async (what: string) => {
      let last: string[] = [];
      try {
        await until(async () => (last = await differences()).length === 0, 30_000, what);
      } catch (err) {
        throw new Error(`${(err as Error).message}: ${last.length} differences, first ${last.slice(0, 5).join('; ')}`);
      }
    };

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-mirror-'));
      server = await variant.start();
      FOLDER = server.folder;
      // Pushes during IDLE are held until the client ends it: a test decides when the session syncs.
      proxy = await startImapProxy(server.port, { holdIdleMs: 60_000 });
      other = new ImapFlow({ host: '127.0.0.1', port: server.port, secure: false, auth: { user: 'alice', pass: server.password }, logger: false });
      other.on('error', () => undefined);
      await other.connect();
      await other.mailboxCreate(FOLDER);
      for (let i = 1; i <= COUNT; i++) await other.append(FOLDER, notification(i), i % 3 ? ['\\Seen'] : []);
    });
    after(async () => {
      endSession();
      await other?.logout().catch(() => undefined);
      await proxy?.stop();
      await server?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('stores the newest page first, then the whole folder in the background, with what grouping needs', async () => {
      const s = newSession();
      await s.connect();
      const whole = nextEvent(s.onDidProgress, (p: MirrorProgress) => p.whole, 60_000, 'the whole folder in the mirror');
      const page = await s.openFolder(FOLDER);
      assert.deepEqual(page.messages.map((m) => m.subject), Array.from({ length: PAGE }, (_, i) => `[acme/widgets] Issue #${COUNT - i}`));
      assert.equal(page.hasOlder, true);
      const done = await whole;
      assert.equal(done.stored, COUNT);
      await untilExact('the mirror to equal the server');
      const stored = cache!.message(FOLDER, cache!.highestUid(FOLDER)!)!;
      assert.equal(stored.listId, 'widgets.acme.github.com');
      assert.equal(stored.githubReason, COUNT % 2 ? 'mention' : 'subscribed');
      assert.deepEqual(stored.references, [`<acme/widgets/issues/${COUNT - 1}@github.com>`]);
      assert.equal(stored.messageId, `<acme/widgets/issues/${COUNT}@github.com>`);
    });

    it('"Load older" comes from the mirror, page by page, and says how many remain', async () => {
      const s = session!;
      const older = await s.loadOlder(FOLDER);
      assert.equal(older.messages.length, 2 * PAGE);
      assert.equal(older.older, COUNT - 2 * PAGE);
      assert.equal(older.messages.at(-1)!.subject, `[acme/widgets] Issue #${COUNT - 2 * PAGE + 1}`);
    });

    it('after a restart shows the folder from the mirror before the server answers, then follows it exactly', async () => {
      endSession();
      // Meanwhile, elsewhere: flags, expunges and new mail.
      const lock = await other.getMailboxLock(FOLDER);
      try {
        await other.messageFlagsAdd('1:40', ['\\Flagged'], { uid: true });
        await other.messageFlagsRemove(`${COUNT - 10}:${COUNT}`, ['\\Seen'], { uid: true });
        await other.messageDelete('100:139', { uid: true });
        await other.messageDelete(String(COUNT - 1), { uid: true });
      } finally {
        lock.release();
      }
      for (let i = 1; i <= 5; i++) await other.append(FOLDER, notification(COUNT + i));

      const s = newSession();
      proxy.accepting = false;
      assert.equal(s.isMirrored(FOLDER), true);
      const page = await s.openFolder(FOLDER);
      assert.equal(s.connectionState.kind === 'online', false, 'opened without the server');
      assert.equal(page.messages.length, PAGE);
      assert.equal(page.messages[0].subject, `[acme/widgets] Issue #${COUNT}`, 'the newest message the mirror knew');

      proxy.accepting = true;
      syncs.length = 0;
      await s.connect();
      await untilExact('the mirror to follow the changes made elsewhere');
      assert.ok(syncs.some((line) => line.includes(`${FOLDER}: `) && line.includes(`(sync: ${variant.path})`)), `synced by ${variant.path}:\n${syncs.join('\n')}`);
      const window = s.loadedMessages(FOLDER)!;
      assert.equal(window.messages[0].subject, `[acme/widgets] Issue #${COUNT + 5}`);
      assert.ok(!window.messages.some((m) => m.uid === COUNT - 1), 'the message expunged elsewhere is gone from the window');
    });

    it('loses nothing when the link drops in the middle of a sync, and takes what changed before the drop after it', async () => {
      const known = (await serverState()).size;
      // The next sync's check of the known part is cut before the server answers it.
      const cutAt = variant.path === 'flags' ? /UID FETCH \S+ \(UID FLAGS\)/i : /CHANGEDSINCE/i;
      const cut = proxy.cutWhenClientSends(cutAt);
      const lock = await other.getMailboxLock(FOLDER);
      try {
        await other.messageFlagsAdd('200:210', ['\\Flagged'], { uid: true });
        await other.messageDelete('300', { uid: true });
      } finally {
        lock.release();
      }
      // The listening connection holds its news (IDLE); the sync that would take them is cut.
      void session!.catchUpFolder(FOLDER).catch(() => undefined);
      await cut;
      assert.ok(cache!.counts(FOLDER).messages >= known - 1, 'the cut sync removed nothing the server has');
      await untilExact('the mirror to take the changes after reconnecting');
    });
  });
}

describe('the background fill, chunk by chunk, while another client expunges', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startDovecot>>;
  let client: ImapFlow;
  let other: ImapFlow;
  const cache = new MailCache(MailCache.IN_MEMORY, { log: silentLog, maxBodyBytes: 0 });

  before(async () => {
    server = await startDovecot();
    const connect = async () => {
      const c = new ImapFlow({ host: '127.0.0.1', port: server.port, secure: false, auth: { user: 'alice', pass: 'secret' }, logger: false, qresync: true });
      c.on('error', () => undefined);
      await c.connect();
      return c;
    };
    client = await connect();
    other = await connect();
    await other.mailboxCreate('Fill');
    for (let i = 1; i <= 100; i++) await other.append('Fill', notification(i));
  });
  after(async () => {
    cache.close();
    await client?.logout().catch(() => undefined);
    await other?.logout().catch(() => undefined);
    await server?.stop();
  });

  it('skips no message when sequence numbers move under the hint it keeps between chunks', async () => {
    await client.mailboxOpen('Fill');
    await syncMirror(client, cache, { pageSize: 10 });
    let step = await fillMirror(client, cache, 10);
    assert.equal(step.hint?.anchorUid, 81);
    // Below the hint's anchor (its sequence number moves down by six) and at the anchor itself.
    await other.mailboxOpen('Fill');
    await other.messageDelete('50:55', { uid: true });
    await other.messageDelete('81', { uid: true });
    await client.noop();
    while (!step.whole) step = await fillMirror(client, cache, 10, { hint: step.hint });
    const server = ((await other.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
    // 81 went after it was stored: the mirror drops it at the next sync, not the fill.
    assert.deepEqual(cache.uids('Fill').filter((uid) => uid !== 81), server);
  });
});
