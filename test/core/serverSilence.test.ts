/**
 * A server that stops answering but keeps its sockets open (a hung server, a half-dead NAT): every
 * command has a deadline (`timeout`, 3 s here), so a read, an open or a page of older mail fails in
 * plain words within it instead of after the socket's five minutes; the session goes offline with
 * that reason and comes back by itself once the server answers again. The same holds for a login
 * and for the listening connection's IDLE. Whatever else fails, a folder command fails with a
 * MailError in plain words. Dovecot behind a proxy that swallows what it sends.
 */
import * as assert from 'node:assert/strict';
import { AccountSession, type SessionOptions } from '../../src/core/account/accountSession';
import { MailCache } from '../../src/core/cache/mailCache';
import { MailError } from '../../src/core/imap/errors';
import { silentLog } from '../../src/core/imap/log';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { startImapProxy, type ImapProxy } from '../support/imapProxy';
import { until } from '../support/waitFor';

/** Seconds the server has to answer. */
const TIMEOUT = 3;
/** On top of the deadline: a 2-core machine shared with other work. */
const HEADROOM_MS = 5_000;
const SILENCE_WORDS = new RegExp(`did not answer within ${TIMEOUT} s`);

function sessionThrough(proxy: ImapProxy, options: Partial<SessionOptions> = {}): AccountSession {
  return new AccountSession(
    { id: 'alice', name: 'Alice', host: '127.0.0.1', port: proxy.port, security: 'none', user: 'alice' },
    'secret',
    // No NOOP checks of quiet IDLE: the listening connection is left to its own watchdog here.
    { log: silentLog, pollInterval: 600, idleCheckSeconds: 0, pageSize: 2, timeout: TIMEOUT, backoff: { initial: 200, max: 1_000 }, ...options },
  );
}

/** How `work` failed, and how long it took to. */
async function failureOf(work: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await work();
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  throw new Error('the command succeeded although the server was silent');
}

function assertSilenceError({ error, ms }: { error: unknown; ms: number }): void {
  assert.ok(error instanceof MailError, `a MailError, not ${String(error)}`);
  assert.equal(error.info.code, 'timeout');
  assert.match(error.info.message, SILENCE_WORDS);
  assert.ok(ms < TIMEOUT * 1_000 + HEADROOM_MS, `failed after ${ms} ms, not within the timeout`);
}

describe('a server that stops answering', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let proxy: ImapProxy;
  let session: AccountSession;

  before(async () => {
    server = await startDovecot();
    await server.createFolder('alice', 'Work');
    for (let i = 1; i <= 5; i++) {
      await server.deliver('alice', 'INBOX', simpleMessage(`Inbox ${i}`));
      await server.deliver('alice', 'Work', simpleMessage(`Work ${i}`));
    }
  });
  beforeEach(async () => {
    proxy = await startImapProxy(server.port);
  });
  afterEach(async () => {
    session?.dispose();
    await proxy?.stop();
  });
  after(async () => {
    await server?.stop();
  });

  /** The session goes offline saying the server did not answer, then, once it answers, online by itself. */
  async function goesOfflineAndComesBack(): Promise<void> {
    await until(
      () => session.connectionState.kind === 'offline' && SILENCE_WORDS.test(session.connectionState.reason),
      HEADROOM_MS,
      'the session to be offline because the server did not answer',
    );
    proxy.silent = false;
    await until(() => session.connectionState.kind === 'online', 20_000, 'the session to be online again by itself');
  }

  it('a message read while the server is silent fails within the timeout, and reads once it answers again', async () => {
    session = sessionThrough(proxy);
    await session.connect();
    const newest = (await session.openFolder('INBOX')).messages[0];
    proxy.silent = true;
    assertSilenceError(await failureOf(() => session.readMessage('INBOX', newest.uid)));
    await goesOfflineAndComesBack();
    const read = await session.readMessage('INBOX', newest.uid);
    assert.equal(read.content.subject, newest.subject);
  });

  it('a folder opened while the server is silent fails within the timeout, and opens once it answers again', async () => {
    session = sessionThrough(proxy);
    await session.connect();
    proxy.silent = true;
    assertSilenceError(await failureOf(() => session.openFolder('Work')));
    await goesOfflineAndComesBack();
    const page = await session.openFolder('Work');
    assert.deepEqual(page.messages.map((m) => m.subject), ['Work 5', 'Work 4']);
  });

  it('older mail asked for when the server goes silent mid-command fails within the timeout, and loads once it answers again', async () => {
    session = sessionThrough(proxy);
    await session.connect();
    const first = await session.openFolder('INBOX');
    assert.equal(first.messages.length, 2);
    // Silent from loadOlder's own first command on: the chunk below the page, by sequence numbers
    // (the first page told where it starts); catch-ups and previews ask by UID.
    const sprung = proxy.silenceWhenClientSends(/^\S+ FETCH 2:3 \(UID\b/);
    assertSilenceError(await failureOf(() => session.loadOlder('INBOX')));
    await sprung;
    await goesOfflineAndComesBack();
    const page = await session.loadOlder('INBOX');
    assert.deepEqual(page.messages.map((m) => m.subject), ['Inbox 5', 'Inbox 4', 'Inbox 3', 'Inbox 2']);
  });

  it('a login the server leaves unanswered fails within the timeout, and the session connects once it answers', async () => {
    void proxy.silenceWhenClientSends(/^\S+ (LOGIN|AUTHENTICATE)\b/i);
    session = sessionThrough(proxy);
    const failure = await failureOf(() => session.connect());
    assertSilenceError(failure);
    assert.match((failure.error as MailError).info.message, /logging in/);
    await goesOfflineAndComesBack();
  });

  it('a listening connection whose IDLE goes silent is noticed within twice the timeout, and the session comes back', async () => {
    session = sessionThrough(proxy);
    await session.connect();
    await until(() => proxy.idlingLinks > 0, 5_000, 'the listening connection to IDLE');
    const silentAt = Date.now();
    proxy.silent = true;
    // imapflow's watchdog: quiet for the timeout, a NOOP; that NOOP unanswered for the timeout, closed.
    await until(() => session.connectionState.kind !== 'online', 2 * TIMEOUT * 1_000 + HEADROOM_MS, 'the silent IDLE to be noticed');
    assert.ok(Date.now() - silentAt >= TIMEOUT * 1_000 - 500, 'noticed by the deadline, not by something else');
    await goesOfflineAndComesBack();
  });

  it('a folder that does not exist fails with a MailError in the server\'s words', async () => {
    session = sessionThrough(proxy);
    await session.connect();
    const { error } = await failureOf(() => session.openFolder('No such folder'));
    assert.ok(error instanceof MailError, `a MailError, not ${String(error)}`);
    assert.equal(error.info.code, 'protocol');
    assert.match(error.info.message, /The server said: .*exist/i);
  });

  it('a folder list cut off mid-command fails with a MailError, never the library\'s "Connection not available"', async () => {
    session = sessionThrough(proxy);
    await session.connect();
    const cut = proxy.cutWhenClientSends(/^\S+ LIST /);
    const { error } = await failureOf(() => session.refreshFolders());
    await cut;
    assert.ok(error instanceof MailError, `a MailError, not ${String(error)}`);
    assert.equal(error.info.code, 'dropped');
    assert.doesNotMatch(error.info.message, /Connection not available/);
  });

  it('an IDLE the server never acknowledges is noticed within the timeout', async () => {
    // The first IDLE is the listening connection's, sent once it has examined its folder.
    void proxy.silenceWhenClientSends(/^\S+ IDLE$/);
    session = sessionThrough(proxy);
    await session.connect();
    await until(() => proxy.silent, 5_000, 'the IDLE to be sent');
    const silentAt = Date.now();
    await until(() => session.connectionState.kind !== 'online', TIMEOUT * 1_000 + HEADROOM_MS, 'the unacknowledged IDLE to be noticed');
    assert.ok(Date.now() - silentAt >= TIMEOUT * 1_000 - 500, 'noticed by the deadline, not by something else');
    await goesOfflineAndComesBack();
  });

  it('Retry on an account that looks online but is stuck closes both connections and connects afresh', async () => {
    // A long deadline: the stuck read must end because of Retry, not because of the deadline.
    session = sessionThrough(proxy, { timeout: 60 });
    await session.connect();
    const newest = (await session.openFolder('INBOX')).messages[0];
    const linksBefore = proxy.links;
    proxy.silent = true;
    const reading = failureOf(() => session.readMessage('INBOX', newest.uid));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(session.connectionState.kind, 'online', 'it looks online');
    proxy.silent = false;
    const retried = Date.now();
    await session.retry();
    const { error, ms } = await reading;
    assert.ok(error instanceof MailError, `a MailError, not ${String(error)}`);
    assert.ok(Date.now() - retried < 5_000 && ms < 10_000, `the stuck read ended with the Retry (${ms} ms), not by the 60 s deadline`);
    assert.equal(session.connectionState.kind, 'online');
    await until(() => proxy.links === linksBefore, 5_000, 'two new connections in place of the two stuck ones');
    const read = await session.readMessage('INBOX', newest.uid);
    assert.equal(read.content.subject, newest.subject);
  });

  it('a message already read opens from the mirror at once, even while the server is stuck', async () => {
    const cache = new MailCache(MailCache.IN_MEMORY, { log: silentLog, maxBodyBytes: 1_000_000 });
    session = sessionThrough(proxy, { cache });
    await session.connect();
    const newest = (await session.openFolder('INBOX')).messages[0];
    const first = await session.readMessage('INBOX', newest.uid);
    proxy.silent = true;
    const started = Date.now();
    const again = await session.readMessage('INBOX', newest.uid);
    assert.ok(Date.now() - started < 200, `shown from the mirror in ${Date.now() - started} ms`);
    assert.equal(again.content.subject, first.content.subject);
    assert.equal(again.content.offlineCopy, undefined, 'online: not marked as an offline copy');
    proxy.silent = false;
    session.dispose();
    cache.close();
  });
});
