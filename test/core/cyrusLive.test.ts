/**
 * Live changes and reconnection against a real Cyrus IMAP 3.6. Cyrus has no NOTIFY, so other
 * folders are polled; and as Debian ships it (no idled) IDLE tells of changes only at its next poll,
 * 60 s later (`imapidlepoll`). A session must therefore check the open folder itself every
 * `idleCheckSeconds`; these tests demand changes within idleCheckSeconds + 2 s.
 */
import * as assert from 'node:assert/strict';
import type { ImapFlow } from 'imapflow';
import type { AccountSession, SessionOptions } from '../../src/core/account/accountSession';
import type { FolderChange } from '../../src/core/model/loadedFolder';
import type { ConnectionState } from '../../src/core/model/types';
import { startCyrus, type CyrusServer } from '../support/cyrus';
import { simpleMessage } from '../support/fixtures';
import { otherClient } from '../support/otherClient';
import { aliceSession } from '../support/session';
import { nextEvent, until } from '../support/waitFor';

const IDLE_CHECK_SECONDS = 3;
const LIVE_DEADLINE_MS = (IDLE_CHECK_SECONDS + 2) * 1_000;

/** pollInterval stays long so that polling the folder counts cannot stand in for the NOOP check. */
function lateIdleOptions(over: Partial<SessionOptions> = {}): Partial<SessionOptions> {
  return { pollInterval: 60, ...over, idleCheckSeconds: IDLE_CHECK_SECONDS };
}

/** Runs `work` on `folder` through another client's mailbox lock. */
async function inFolder(client: ImapFlow, folder: string, work: () => Promise<unknown>): Promise<void> {
  const lock = await client.getMailboxLock(folder);
  try {
    await work();
  } finally {
    lock.release();
  }
}

describe('Cyrus IMAP without idled: live changes in the open folder', function () {
  this.timeout(30_000);
  let server: CyrusServer;
  let session: AccountSession;
  let other: ImapFlow;

  before(async () => {
    server = await startCyrus();
    assert.equal(server.idled, false, 'these tests are about IDLE that reports late');
    for (let i = 1; i <= 3; i++) {
      await server.deliver('alice', 'INBOX', simpleMessage(`Existing ${i}`));
    }
    session = aliceSession(server, lateIdleOptions());
    await session.connect();
    await session.openFolder('INBOX');
    other = await otherClient(server);
  });
  after(async () => {
    await other?.logout().catch(() => undefined);
    session?.dispose();
    await server?.stop();
  });

  // After opening a folder or applying a change, the session asks STATUS and may catch up once
  // more (its STATUS signature lacks UIDNEXT/HIGHESTMODSEQ, so it always differs from LIST's).
  // A change made during that follow-up is found by luck, which would hide a missing IDLE
  // check; so each test starts once the session has settled.
  beforeEach(() => new Promise((resolve) => setTimeout(resolve, 1_000)));

  const change = (what: string, predicate: (c: FolderChange) => boolean) =>
    nextEvent(session.onDidChangeMessages, predicate, LIVE_DEADLINE_MS, `${what} (within idleCheckSeconds ${IDLE_CHECK_SECONDS} + 2 s)`);
  const existing = (subject: string) => {
    const found = session.loadedMessages('INBOX')!.messages.find((m) => m.subject === subject);
    assert.ok(found, `${subject} is not loaded`);
    return found;
  };

  it('shows a message another client appended', async () => {
    const arrived = change('the new message', (c) => c.added.some((m) => m.subject === 'Fresh from the phone'));
    await other.append('INBOX', simpleMessage('Fresh from the phone'));
    assert.equal((await arrived).folder, 'INBOX');
    assert.ok(session.loadedMessages('INBOX')!.messages.some((m) => m.subject === 'Fresh from the phone'));
  });

  it('follows a flag another client stored', async () => {
    const target = existing('Existing 2');
    const flagged = change('the flag change', (c) => c.changed.some((m) => m.uid === target.uid && m.flags.flagged));
    await inFolder(other, 'INBOX', () => other.messageFlagsAdd(String(target.uid), ['\\Flagged'], { uid: true }));
    await flagged;
  });

  it('drops a message another client expunged', async () => {
    const target = existing('Existing 1');
    const removed = change('the removal', (c) => c.removed.includes(target.uid));
    await inFolder(other, 'INBOX', () => other.messageDelete(String(target.uid), { uid: true }));
    await removed;
    assert.ok(!session.loadedMessages('INBOX')!.messages.some((m) => m.uid === target.uid));
  });
});

describe('Cyrus IMAP: unread counts of other folders (no NOTIFY, so polled)', function () {
  this.timeout(30_000);
  const POLL_SECONDS = 2;
  let server: CyrusServer;
  let session: AccountSession;

  before(async () => {
    server = await startCyrus();
    await server.createFolder('alice', 'INBOX.Work');
    session = aliceSession(server, { pollInterval: POLL_SECONDS });
    await session.connect();
    await session.openFolder('INBOX');
  });
  after(async () => {
    session?.dispose();
    await server?.stop();
  });

  it('updates the unread count of a folder that is not open within pollInterval + 2 s', async () => {
    const before = session.countsOf('INBOX.Work');
    assert.deepEqual(before, { path: 'INBOX.Work', messages: 0, unseen: 0 });
    const counted = nextEvent(
      session.onDidChangeCounts,
      (cs) => cs.some((c) => c.path === 'INBOX.Work' && c.unseen === 1 && c.messages === 1),
      (POLL_SECONDS + 2) * 1_000,
      'the polled count of INBOX.Work',
    );
    await server.deliver('alice', 'INBOX.Work', simpleMessage('Unread in Work'));
    await counted;
  });

  it('counts a message read elsewhere as read', async () => {
    const other = await otherClient(server);
    try {
      const counted = nextEvent(
        session.onDidChangeCounts,
        (cs) => cs.some((c) => c.path === 'INBOX.Work' && c.unseen === 0 && c.messages === 1),
        (POLL_SECONDS + 2) * 1_000,
        'INBOX.Work counted as read',
      );
      await inFolder(other, 'INBOX.Work', () => other.messageFlagsAdd('1:*', ['\\Seen']));
      await counted;
    } finally {
      await other.logout().catch(() => undefined);
    }
  });
});

describe('Cyrus IMAP: reconnecting catches up exactly', function () {
  this.timeout(60_000);
  /** Long enough that the changes below are made while the session waits to reconnect. */
  const BACKOFF = { initial: 3_000, max: 4_000 };
  let server: CyrusServer;
  let session: AccountSession;
  let states: ConnectionState['kind'][];

  before(async () => {
    server = await startCyrus();
    for (let i = 1; i <= 6; i++) {
      await server.deliver('alice', 'INBOX', simpleMessage(`Before ${i}`), i % 2 ? [] : ['\\Seen']);
    }
    session = aliceSession(server, lateIdleOptions({ backoff: BACKOFF }));
    states = [];
    session.onDidChangeState((s) => states.push(s.kind));
    await session.connect();
    await session.openFolder('INBOX');
  });
  after(async () => {
    session?.dispose();
    await server?.stop();
  });

  /** The server's INBOX as another client lists it: UID, subject and flags, newest first. */
  const serverTruth = async () => {
    const other = await otherClient(server);
    try {
      await other.mailboxOpen('INBOX', { readOnly: true });
      const all = await other.fetchAll('1:*', { uid: true, flags: true, envelope: true });
      return all
        .map((m) => ({ uid: m.uid, subject: m.envelope?.subject ?? '', seen: m.flags?.has('\\Seen') ?? false, flagged: m.flags?.has('\\Flagged') ?? false }))
        .sort((a, b) => b.uid - a.uid);
    } finally {
      await other.logout().catch(() => undefined);
    }
  };
  const sessionView = () =>
    (session.loadedMessages('INBOX')?.messages ?? []).map((m) => ({ uid: m.uid, subject: m.subject, seen: m.flags.seen, flagged: m.flags.flagged }));

  /** While the session is offline: one message arrives, one is expunged, one is flagged and read. */
  async function changeWhileAway(tag: string): Promise<void> {
    const other = await otherClient(server);
    try {
      await other.append('INBOX', simpleMessage(`Arrived while away ${tag}`));
      await inFolder(other, 'INBOX', async () => {
        const uids = (await other.fetchAll('1:*', { uid: true })).map((m) => m.uid).sort((a, b) => a - b);
        await other.messageDelete(String(uids[0]), { uid: true });
        await other.messageFlagsAdd(String(uids[1]), ['\\Flagged', '\\Seen'], { uid: true });
      });
    } finally {
      await other.logout().catch(() => undefined);
    }
    assert.notEqual(session.connectionState.kind, 'online', 'the changes were meant to happen while the session was away; it came back too early');
  }

  /** The loaded window must equal the server exactly: nothing missing, nothing twice, flags right. */
  async function expectCaughtUp(): Promise<void> {
    await until(() => session.connectionState.kind === 'online', 15_000, 'the session to come back online');
    const deadline = Date.now() + LIVE_DEADLINE_MS;
    let truth = await serverTruth();
    while (JSON.stringify(sessionView()) !== JSON.stringify(truth) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      truth = await serverTruth();
    }
    assert.deepEqual(sessionView(), truth, 'the session window after reconnecting differs from the server');
  }

  it('after the server cut every connection', async () => {
    states.length = 0;
    await server.dropConnections();
    await until(() => states.includes('offline'), 5_000, 'the session to notice the cut');
    await changeWhileAway('(cut)');
    await expectCaughtUp();
  });

  it('after the server was stopped and started again', async () => {
    states.length = 0;
    await server.restart();
    await until(() => states.includes('offline'), 5_000, 'the session to notice the restart');
    await changeWhileAway('(restart)');
    await expectCaughtUp();
  });
});

describe('Cyrus IMAP with idled: IDLE reports at once', function () {
  this.timeout(30_000);
  let server: CyrusServer;
  let session: AccountSession;

  before(async () => {
    server = await startCyrus({ idled: true });
    // No idleCheckSeconds and a long poll: only IDLE itself can bring the change in time.
    session = aliceSession(server, { pollInterval: 60 });
    await session.connect();
    await session.openFolder('INBOX');
  });
  after(async () => {
    session?.dispose();
    await server?.stop();
  });

  it('shows a message another client appended within 2 s', async () => {
    const arrived = nextEvent(session.onDidChangeMessages, (c) => c.added.some((m) => m.subject === 'Pushed by idled'), 2_000, 'the new message through IDLE');
    await server.deliver('alice', 'INBOX', simpleMessage('Pushed by idled'));
    await arrived;
  });
});
