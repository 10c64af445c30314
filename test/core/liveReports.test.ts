/**
 * Changes another client makes to the open folder reach the mirror straight from the listening
 * connection (RFC 7162: with QRESYNC the server names the UID of every FETCH and VANISHED), with no
 * command on the command connection and no catch-up.
 */
import * as assert from 'node:assert/strict';
import type { ImapFlow } from 'imapflow';
import { AccountSession } from '../../src/core/account/accountSession';
import { MailCache } from '../../src/core/cache/mailCache';
import { silentLog, type MailLog } from '../../src/core/imap/log';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { otherClient } from '../support/otherClient';
import { startImapProxy, type ImapProxy } from '../support/imapProxy';
import { nextEvent, until } from '../support/waitFor';

describe('live reports applied to the mirror', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let session: AccountSession;
  let other: ImapFlow;
  const lines: string[] = [];
  const log: MailLog = { trace: (m) => void lines.push(m), debug() {}, info() {}, warn() {}, error() {} };
  /** Commands the session sent on its command connection (not the listening one) since `from`. */
  const commandsSince = (from: number) => lines.slice(from).filter((l) => l.includes('C: ') && !l.includes('[watch]') && !/ (IDLE|DONE)$/.test(l));

  before(async () => {
    server = await startDovecot();
    await server.createFolder('alice', 'Live');
    for (let i = 1; i <= 5; i++) await server.deliver('alice', 'Live', simpleMessage(`Live ${i}`));
    session = new AccountSession({ id: 'alice', name: 'Alice', host: '127.0.0.1', port: server.port, security: 'none', user: 'alice' }, 'secret', {
      log,
      pollInterval: 600,
      idleCheckSeconds: 0,
    });
    await session.connect();
    await session.openFolder('Live');
    other = await otherClient(server);
    await other.mailboxOpen('Live');
    // Let the open's own follow-ups (watcher, counts, previews, fill) finish.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  });
  after(async () => {
    await other?.logout().catch(() => undefined);
    session?.dispose();
    await server?.stop();
  });

  it('a flag set elsewhere changes the row, and the unread count, without a command', async () => {
    const from = lines.length;
    const uid = session.loadedMessages('Live')!.messages[1].uid;
    const changed = nextEvent(session.onDidChangeMessages, (c) => c.changed.some((m) => m.uid === uid), 5_000, 'the flag change');
    await other.messageFlagsAdd(String(uid), ['\\Flagged', '\\Seen'], { uid: true });
    const change = await changed;
    const row = change.changed.find((m) => m.uid === uid)!;
    assert.equal(row.flags.flagged, true);
    assert.equal(row.flags.seen, true);
    assert.equal(session.countsOf('Live')?.unseen, 4);
    assert.deepEqual(commandsSince(from), []);
  });

  it('a message expunged elsewhere leaves the window without a command', async () => {
    const from = lines.length;
    const uid = session.loadedMessages('Live')!.messages[0].uid;
    const removed = nextEvent(session.onDidChangeMessages, (c) => c.removed.includes(uid), 5_000, 'the expunge');
    await other.messageDelete(String(uid), { uid: true });
    await removed;
    assert.ok(!session.loadedMessages('Live')!.messages.some((m) => m.uid === uid));
    assert.equal(session.countsOf('Live')?.messages, 4);
    assert.deepEqual(commandsSince(from), [], lines.slice(from).join('\n'));
  });
});

/**
 * The race the soak once lost: a chunk below what is stored (the background fill, or "Load older"
 * when the mirror lacks the page) has been fetched but not stored when the listening connection
 * reports one of its messages expunged. The report must wait for the chunk to be stored (the
 * folder's owner runs both, one after the other), so the mirror ends without the message. A proxy
 * holds the chunk's answer back until the server has told the listening connection (VANISHED, RFC
 * 7162 3.2.10).
 */
describe('a message expunged while a chunk below the page is fetched but not stored', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let proxy: ImapProxy;
  let other: ImapFlow;
  const transcript: string[] = [];
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  before(async () => {
    server = await startDovecot();
    other = await otherClient(server);
    for (const [folder, count] of [['Race', 60], ['Fill', 300], ['Ahead', 300]] as const) {
      await server.createFolder('alice', folder);
      for (let i = 1; i <= count; i++) await other.append(folder, simpleMessage(`${folder} ${i}`));
    }
    proxy = await startImapProxy(server.port, { transcript });
  });
  after(async () => {
    await other?.logout().catch(() => undefined);
    await proxy?.stop();
    await server?.stop();
  });

  /**
   * A session through the proxy; `held` opens `folder`, holds the chunk's answer and resolves once
   * it is held; then the `victimAt`-th message is expunged elsewhere, the chunk is let go once the
   * listening connection has been told, and the mirror must end as the server is: holding `from`
   * the `from`-th message up, less the one expunged.
   */
  async function race(
    folder: string,
    options: { fillChunk: number },
    held: (session: AccountSession) => Promise<{ release: () => void; running?: Promise<unknown> }>,
    victimAt: number | (() => number),
    from: number,
  ): Promise<void> {
    const cache = new MailCache(MailCache.IN_MEMORY, { log: silentLog, maxBodyBytes: 0 });
    const session = new AccountSession({ id: 'alice', name: 'Alice', host: '127.0.0.1', port: proxy.port, security: 'none', user: 'alice' }, 'secret', {
      log: silentLog,
      pollInterval: 600,
      pageSize: 20,
      cache,
      ...options,
    });
    try {
      await session.connect();
      const { release, running } = await held(session);
      await until(() => proxy.idlingLinks > 0, 10_000, 'the watcher idling');
      await pause(300);
      await other.mailboxOpen(folder);
      const uids = ((await other.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
      const victim = uids[typeof victimAt === 'number' ? victimAt : victimAt()];
      await other.messageDelete(String(victim), { uid: true });
      await until(() => transcript.some((line) => line === `S: * VANISHED ${victim}`), 10_000, 'the expunge reported');
      await pause(100);
      release();
      await running;
      const left = JSON.stringify(uids.filter((uid) => uid !== victim && uid >= uids[from]));
      await until(() => JSON.stringify(cache.uids(folder)) === left, 10_000, 'the mirror without the expunged message');
    } finally {
      session.dispose();
      cache.close();
    }
  }

  it('"Load older": leaves the mirror without it once the chunk is stored', async () => {
    // No background fill: "Load older" fetches the chunk, with nothing else in flight.
    await race('Race', { fillChunk: 0 }, async (s) => {
      await s.openFolder('Race');
      // The watcher is on the folder and its catch-up is done: nothing else will sync it.
      await until(() => proxy.idlingLinks > 0, 10_000, 'the watcher idling');
      await pause(500);
      const hold = proxy.holdWhenClientSends(/^\S+ FETCH \d+:\d+ \(UID FLAGS ENVELOPE/);
      const running = s.loadOlder('Race');
      return { release: await hold, running };
    }, 29, 20);
  });

  it('the background fill: leaves the mirror without it once the chunk is stored', async () => {
    // The last chunk of the fill (sequence numbers 1 to 20): by then the open's own catch-ups are
    // long done, so nothing but the owner's order keeps the report from applying before the store.
    await race('Fill', { fillChunk: 20 }, async (s) => {
      const hold = proxy.holdWhenClientSends(/^\S+ FETCH 1:20 \(UID FLAGS ENVELOPE/);
      void s.openFolder('Fill');
      return { release: await hold };
    }, 9, 0);
  });

  it('the fill\'s chunk asked for ahead (while the one before is stored): leaves the mirror without it', async () => {
    // The first chunk written behind imapflow's back while the one before it is stored
    // (imap/fetchAhead.ts); one of its messages is expunged while its answer is held.
    const ahead = /^C: ma\d+ FETCH (\d+):(\d+) \(UID FLAGS ENVELOPE/;
    await race('Ahead', { fillChunk: 20 }, async (s) => {
      const hold = proxy.holdWhenClientSends(/^ma\d+ FETCH \d+:\d+ \(UID FLAGS ENVELOPE/);
      void s.openFolder('Ahead');
      return { release: await hold };
    }, () => {
      const [, first, last] = ahead.exec([...transcript].reverse().find((line) => ahead.test(line))!)!;
      // The middle of the held chunk (sequence numbers are 1-based, the index 0-based).
      return Math.floor((Number(first) + Number(last)) / 2) - 1;
    }, 0);
  });
});
