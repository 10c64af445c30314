/**
 * Servers other than Dovecot: Courier (no UIDNEXT in SELECT, no CONDSTORE, QRESYNC, NOTIFY,
 * SPECIAL-USE or LIST-STATUS) and Cyrus as Debian ships it (IDLE that reports up to 60 s late).
 * Dovecot with a trimmed capability list behind a proxy that strips UIDNEXT and holds IDLE pushes
 * stands in for them (ENVIRONMENT.md).
 */
import * as assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { AccountSession, type SessionOptions } from '../../src/core/account/accountSession';
import type { FolderChange } from '../../src/core/model/loadedFolder';
import type { MailLog } from '../../src/core/imap/log';
import { COURIER_LIKE_CAPABILITIES, startDovecot, type DovecotServer } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { startImapProxy, type ImapProxy } from '../support/imapProxy';
import { nextEvent, until } from '../support/waitFor';

/** Seconds: small, so that the tests are quick; the proxy holds IDLE news far longer. */
const IDLE_CHECK = 3;
const WATCHED_POLL = 3;
const IDLE_HELD_MS = 30_000;

/** Another mail client, straight to Dovecot (not through the proxy). */
async function otherClient(server: DovecotServer): Promise<ImapFlow> {
  const client = new ImapFlow({ host: '127.0.0.1', port: server.port, secure: false, auth: { user: 'alice', pass: 'secret' }, logger: false });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function inFolder<T>(client: ImapFlow, path: string, work: () => Promise<T>): Promise<T> {
  const lock = await client.getMailboxLock(path);
  try {
    return await work();
  } finally {
    lock.release();
  }
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Every log line, wire lines included (`trace [imap Alice] C: 12 NOOP`), to look at afterwards. */
function capturingLog(): MailLog & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (m: string) => void lines.push(`${level} ${m}`);
  return { lines, trace: keep('trace'), debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}

function sessionThrough(proxy: ImapProxy, options: Partial<SessionOptions>): AccountSession {
  return new AccountSession(
    { id: 'alice', name: 'Alice', host: '127.0.0.1', port: proxy.port, security: 'none', user: 'alice' },
    'secret',
    { log: capturingLog(), pollInterval: 600, backoff: { initial: 200, max: 1_000 }, ...options },
  );
}

describe('a Courier-like server: no UIDNEXT, IDLE 30 s late, no NOTIFY or LIST-STATUS', function () {
  this.timeout(90_000);
  let server: DovecotServer;
  let proxy: ImapProxy;
  let session: AccountSession;
  let other: ImapFlow;
  const log = capturingLog();
  let openedAt = 0;

  before(async () => {
    server = await startDovecot({ capabilities: COURIER_LIKE_CAPABILITIES });
    await server.createFolder('alice', 'Work');
    for (let i = 1; i <= 4; i++) {
      await server.deliver('alice', 'Work', simpleMessage(`Existing ${i}`));
    }
    proxy = await startImapProxy(server.port, { stripUidNext: true, holdIdleMs: IDLE_HELD_MS });
    session = sessionThrough(proxy, { log, idleCheckSeconds: IDLE_CHECK, watchedPollSeconds: WATCHED_POLL });
    await session.connect();
    openedAt = log.lines.length;
    await session.openFolder('Work');
    other = await otherClient(server);
  });
  after(async () => {
    await other?.logout().catch(() => undefined);
    session?.dispose();
    await proxy?.stop();
    await server?.stop();
  });

  const withinCheck = (what: string, predicate: (c: FolderChange) => boolean) =>
    nextEvent(session.onDidChangeMessages, predicate, (IDLE_CHECK + 2) * 1_000, what);

  it('is what it plays: no NOTIFY, CONDSTORE or LIST-STATUS announced, and no UIDNEXT in SELECT', async () => {
    const probe = new ImapFlow({ host: '127.0.0.1', port: proxy.port, secure: false, auth: { user: 'alice', pass: 'secret' }, logger: false });
    probe.on('error', () => undefined);
    await probe.connect();
    try {
      for (const missing of ['NOTIFY', 'CONDSTORE', 'QRESYNC', 'LIST-STATUS', 'SPECIAL-USE']) {
        assert.ok(!probe.capabilities.has(missing), `${missing} is announced`);
      }
      const mailbox = await probe.mailboxOpen('Work');
      assert.equal(mailbox.uidNext, undefined);
      assert.equal(mailbox.exists, 4);
    } finally {
      await probe.logout().catch(() => probe.close());
    }
  });

  it(`shows a message appended elsewhere within idleCheckSeconds + 2 s`, async () => {
    const arrived = withinCheck('the new message', (c) => c.added.some((m) => m.subject === 'Late news'));
    await other.append('Work', simpleMessage('Late news'));
    await arrived;
    assert.ok(session.loadedMessages('Work')!.messages.some((m) => m.subject === 'Late news'));
  });

  it(`follows a flag set elsewhere within idleCheckSeconds + 2 s`, async () => {
    const target = session.loadedMessages('Work')!.messages.find((m) => m.subject === 'Existing 2')!;
    const flagged = withinCheck('the flag change', (c) => c.changed.some((m) => m.uid === target.uid && m.flags.flagged));
    await inFolder(other, 'Work', () => other.messageFlagsAdd(String(target.uid), ['\\Flagged'], { uid: true }));
    await flagged;
  });

  it(`drops a message expunged elsewhere within idleCheckSeconds + 2 s`, async () => {
    const target = session.loadedMessages('Work')!.messages.find((m) => m.subject === 'Existing 1')!;
    const removed = withinCheck('the removal', (c) => c.removed.includes(target.uid));
    await inFolder(other, 'Work', () => other.messageDelete(String(target.uid), { uid: true }));
    await removed;
    assert.ok(!session.loadedMessages('Work')!.messages.some((m) => m.uid === target.uid));
  });

  it('updates the unread count of INBOX, watched but not open, within the watched poll + 2 s', async () => {
    const before = session.countsOf('INBOX')!;
    const counted = nextEvent(
      session.onDidChangeCounts,
      (cs) => cs.some((c) => c.path === 'INBOX' && c.unseen === before.unseen + 1 && c.messages === before.messages + 1),
      (WATCHED_POLL + 2) * 1_000,
      'the unread count of INBOX',
    );
    await other.append('INBOX', simpleMessage('Unread in INBOX'));
    await counted;
  });

  it('never asks STATUS of the folder its connection has selected (RFC 3501 6.3.10)', () => {
    // Since Work was opened it stays selected on the command connection; INBOX has been polled meanwhile.
    const commandLines = log.lines.slice(openedAt).filter((l) => l.startsWith('trace [imap Alice] C: '));
    assert.ok(commandLines.some((l) => /^trace \[imap Alice\] C: \S+ STATUS "?INBOX"? /.test(l)), 'INBOX was never polled');
    assert.deepEqual(commandLines.filter((l) => /^trace \[imap Alice\] C: \S+ STATUS "?Work"? /.test(l)), []);
  });

  /** The window as `uid seen flagged` lines, and the same from the server through another client. */
  const shownWindow = () =>
    session
      .loadedMessages('Work')!
      .messages.map((m) => `${m.uid} seen=${m.flags.seen} flagged=${m.flags.flagged}`)
      .sort();
  const serverWindow = async () =>
    (await inFolder(other, 'Work', () => other.fetchAll('1:*', { uid: true, flags: true })))
      .map((m) => `${m.uid} seen=${m.flags!.has('\\Seen')} flagged=${m.flags!.has('\\Flagged')}`)
      .sort();
  const catchUpTrouble = (from: number) => log.lines.slice(from).filter((l) => /No folder is selected|catch-up of .* failed/.test(l));

  it('when the links are cut in the middle of a catch-up, reconnects and shows the folder exactly', async () => {
    const logFrom = log.lines.length;
    // Without CONDSTORE the catch-up reads every known UID's FLAGS: that command springs the trap.
    const cut = proxy.cutWhenClientSends(/^\S+ UID FETCH \S+ \(UID FLAGS\)/i);
    // A new message sets off a catch-up (through the NOOP check).
    await other.append('Work', simpleMessage('Sets off a catch-up'));
    await within(cut, (IDLE_CHECK + 5) * 1_000, 'a catch-up to send UID FETCH (UID FLAGS)');
    await until(() => session.connectionState.kind !== 'online', 5_000, 'the session to notice the cut');
    await until(() => session.connectionState.kind === 'online', 10_000, 'the session to come back');
    const expected = await serverWindow();
    await until(() => JSON.stringify(shownWindow()) === JSON.stringify(expected), 5_000, 'the window to match the server').catch((err) => {
      assert.deepEqual(shownWindow(), expected, (err as Error).message);
    });
    assert.deepEqual(catchUpTrouble(logFrom), []);
  });

  it('after the links are cut, reconnects and catches up exactly, without "No folder is selected"', async () => {
    const logFrom = log.lines.length;
    // Only the catch-up after reconnecting may deliver: no NOOP check in the time the test waits.
    session.setTimings({ idleCheckSeconds: 60 });
    const victims = session.loadedMessages('Work')!.messages;
    const toFlag = victims.find((m) => m.subject === 'Existing 3')!;
    const toExpunge = victims.find((m) => m.subject === 'Existing 4')!;

    proxy.accepting = false;
    proxy.cutAll();
    await until(() => session.connectionState.kind === 'offline', 5_000, 'the session to notice the cut');
    // While the session is away, another client changes the open folder.
    await other.append('Work', simpleMessage('Arrived while cut off'));
    await inFolder(other, 'Work', async () => {
      await other.messageFlagsAdd(String(toFlag.uid), ['\\Seen', '\\Flagged'], { uid: true });
      await other.messageDelete(String(toExpunge.uid), { uid: true });
    });
    const expected = await serverWindow();

    proxy.accepting = true;
    await until(() => session.connectionState.kind === 'online', 10_000, 'the session to come back');
    await until(() => JSON.stringify(shownWindow()) === JSON.stringify(expected), 5_000, 'the window to match the server').catch((err) => {
      assert.deepEqual(shownWindow(), expected, (err as Error).message);
    });
    assert.ok(expected.length > 0);
    assert.deepEqual(catchUpTrouble(logFrom), []);
  });
});

describe('a server whose SELECT has no UIDNEXT (prompt IDLE)', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let proxy: ImapProxy;
  let session: AccountSession;

  before(async () => {
    server = await startDovecot();
    await server.createFolder('alice', 'Empty');
    for (let i = 1; i <= 3; i++) {
      await server.deliver('alice', 'INBOX', simpleMessage(`Old ${i}`));
    }
    proxy = await startImapProxy(server.port, { stripUidNext: true });
    // No NOOP check: IDLE alone must bring the news.
    session = sessionThrough(proxy, { idleCheckSeconds: 0 });
    await session.connect();
  });
  after(async () => {
    session?.dispose();
    await proxy?.stop();
    await server?.stop();
  });

  for (const folder of ['INBOX', 'Empty']) {
    it(`gets new mail in ${folder === 'INBOX' ? 'a folder with mail' : 'an empty folder'}`, async () => {
      await session.openFolder(folder);
      const arrived = nextEvent(session.onDidChangeMessages, (c) => c.folder === folder && c.added.some((m) => m.subject === `New in ${folder}`), 3_000, 'the new message');
      await server.deliver('alice', folder, simpleMessage(`New in ${folder}`));
      await arrived;
      const second = nextEvent(session.onDidChangeMessages, (c) => c.folder === folder && c.added.some((m) => m.subject === `Newer in ${folder}`), 3_000, 'the next message');
      await server.deliver('alice', folder, simpleMessage(`Newer in ${folder}`));
      await second;
      const subjects = session.loadedMessages(folder)!.messages.map((m) => m.subject);
      assert.equal(new Set(subjects).size, subjects.length, 'a message is shown twice');
    });
  }
});

describe('a server whose IDLE is prompt (Dovecot) with a short quiet check', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let proxy: ImapProxy;
  let session: AccountSession;
  const log = capturingLog();

  before(async () => {
    server = await startDovecot();
    // A plain pass-through proxy, so that the session is set up as in the tests above.
    proxy = await startImapProxy(server.port);
    session = sessionThrough(proxy, { log, idleCheckSeconds: 2 });
    await session.connect();
    await session.openFolder('INBOX');
  });
  after(async () => {
    session?.dispose();
    await proxy?.stop();
    await server?.stop();
  });

  it('idles again after each check, so pushes still arrive at once', async () => {
    const watchLines = () => log.lines.filter((l) => l.startsWith('trace [imap Alice] [watch] '));
    // A check has run and the IDLE after it has begun.
    await until(
      () => {
        const lines = watchLines();
        const noop = lines.findIndex((l) => / C: \S+ NOOP$/.test(l));
        return noop >= 0 && lines.slice(noop).some((l) => / C: \S+ IDLE$/.test(l)) && /S: \+ idling|Initiated IDLE/.test(lines[lines.length - 1]);
      },
      10_000,
      'a NOOP check followed by a new IDLE',
    );
    const arrived = nextEvent(session.onDidChangeMessages, (c) => c.added.some((m) => m.subject === 'Pushed at once'), 1_500, 'the pushed message');
    await server.deliver('alice', 'INBOX', simpleMessage('Pushed at once'));
    await arrived;
  });
});
