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
 * reports one of its messages expunged. The report finds nothing to remove; the chunk then stores
 * the message. The folder must sync again once the chunk is stored, so the mirror ends without it.
 * A proxy holds the chunk's answer back until the report has been applied.
 */
describe('a message expunged while a chunk below the page is fetched but not stored', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let proxy: ImapProxy;
  let other: ImapFlow;
  const transcript: string[] = [];

  before(async () => {
    server = await startDovecot();
    await server.createFolder('alice', 'Race');
    other = await otherClient(server);
    for (let i = 1; i <= 60; i++) await other.append('Race', simpleMessage(`Race ${i}`));
    await other.mailboxOpen('Race');
    proxy = await startImapProxy(server.port, { transcript });
  });
  after(async () => {
    await other?.logout().catch(() => undefined);
    await proxy?.stop();
    await server?.stop();
  });

  it('leaves the mirror without it once the chunk is stored', async () => {
    const cache = new MailCache(MailCache.IN_MEMORY, { log: silentLog, maxBodyBytes: 0 });
    // No background fill: "Load older" fetches the chunk, with nothing else in flight.
    const session = new AccountSession({ id: 'alice', name: 'Alice', host: '127.0.0.1', port: proxy.port, security: 'none', user: 'alice' }, 'secret', {
      log: silentLog,
      pollInterval: 600,
      pageSize: 20,
      fillChunk: 0,
      cache,
    });
    try {
      await session.connect();
      await session.openFolder('Race');
      const uids = ((await other.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
      // The watcher is on the folder and its catch-up is done: nothing else will sync it.
      await until(() => proxy.idlingLinks > 0, 10_000, 'the watcher idling');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const held = proxy.holdWhenClientSends(/^\S+ FETCH \d+:\d+ \(UID FLAGS ENVELOPE/);
      const older = session.loadOlder('Race');
      const letGo = await held;
      const victim = uids[29];
      // The chunk holds the victim. The listening connection is told of the expunge (VANISHED, RFC
      // 7162 3.2.10) while the chunk's answer is held: its report waits for the chunk to be stored.
      await other.messageDelete(String(victim), { uid: true });
      await until(() => transcript.some((line) => line === `S: * VANISHED ${victim}`), 10_000, 'the expunge reported');
      await new Promise((resolve) => setTimeout(resolve, 100));
      letGo();
      await older;
      const left = JSON.stringify(uids.filter((uid) => uid !== victim && uid >= uids[20]));
      await until(() => JSON.stringify(cache.uids('Race')) === left, 10_000, 'the mirror without the expunged message');
    } finally {
      session.dispose();
      cache.close();
    }
  });
});
