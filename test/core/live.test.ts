import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { ImapFlow } from 'imapflow';
import type { AccountSession } from '../../src/core/account/accountSession';
import type { FolderChange } from '../../src/core/model/loadedFolder';
import type { ConnectionState } from '../../src/core/model/types';
import { aliceSession } from '../support/session';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { nextEvent, until } from '../support/waitFor';

/** Another mail client: a phone, webmail, Thunderbird. */
async function otherClient(server: DovecotServer): Promise<ImapFlow> {
  const client = new ImapFlow({ host: '127.0.0.1', port: server.port, secure: false, auth: { user: 'alice', pass: 'secret' }, logger: false });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

describe('live changes from other clients', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let session: AccountSession;
  let other: ImapFlow;

  before(async () => {
    server = await startDovecot();
    await server.createFolder('alice', 'Work');
    for (let i = 1; i <= 3; i++) {
      await server.deliver('alice', 'INBOX', simpleMessage(`Existing ${i}`));
    }
    session = aliceSession(server, { backoff: { initial: 200, max: 1_000 } });
    await session.connect();
    await session.openFolder('INBOX');
    other = await otherClient(server);
  });
  after(async () => {
    await other?.logout().catch(() => undefined);
    session?.dispose();
    await server?.stop();
  });

  const change = (what: string, predicate: (c: FolderChange) => boolean) =>
    nextEvent(session.onDidChangeMessages, predicate, 2_000, what);

  it('shows a new message in the open folder within 2 s', async () => {
    const arrived = change('the new message', (c) => c.added.some((m) => m.subject === 'Fresh from the phone'));
    await other.append('INBOX', simpleMessage('Fresh from the phone'));
    const c = await arrived;
    assert.equal(c.folder, 'INBOX');
    assert.ok(session.loadedMessages('INBOX')!.messages.some((m) => m.subject === 'Fresh from the phone'));
  });

  it('follows a flag set elsewhere within 2 s', async () => {
    const target = session.loadedMessages('INBOX')!.messages.find((m) => m.subject === 'Existing 2')!;
    const flagged = change('the flag change', (c) => c.changed.some((m) => m.uid === target.uid && m.flags.flagged));
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageFlagsAdd(String(target.uid), ['\\Flagged'], { uid: true });
    } finally {
      lock.release();
    }
    await flagged;
  });

  it('follows \\Seen alone set elsewhere within 2 s, leaving the other flags as they were', async () => {
    const target = session.loadedMessages('INBOX')!.messages.find((m) => m.subject === 'Existing 3')!;
    assert.equal(target.flags.seen, false);
    const seen = change('the \\Seen change', (c) => c.changed.some((m) => m.uid === target.uid && m.flags.seen));
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageFlagsAdd(String(target.uid), ['\\Seen'], { uid: true });
    } finally {
      lock.release();
    }
    const c = await seen;
    const changed = c.changed.find((m) => m.uid === target.uid)!;
    assert.deepEqual(changed.flags, { ...target.flags, seen: true });
    assert.equal(session.loadedMessages('INBOX')!.messages.find((m) => m.uid === target.uid)?.flags.seen, true);
  });

  it('follows \\Seen alone cleared elsewhere within 2 s', async () => {
    const target = session.loadedMessages('INBOX')!.messages.find((m) => m.subject === 'Existing 3')!;
    const unseen = change('the \\Seen removal', (c) => c.changed.some((m) => m.uid === target.uid && !m.flags.seen));
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageFlagsRemove(String(target.uid), ['\\Seen'], { uid: true });
    } finally {
      lock.release();
    }
    await unseen;
  });

  it('drops a message expunged elsewhere within 2 s', async () => {
    const target = session.loadedMessages('INBOX')!.messages.find((m) => m.subject === 'Existing 1')!;
    const before = session.countsOf('INBOX')!;
    const removed = change('the removal', (c) => c.removed.includes(target.uid));
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageDelete(String(target.uid), { uid: true });
    } finally {
      lock.release();
    }
    await removed;
    assert.ok(!session.loadedMessages('INBOX')!.messages.some((m) => m.uid === target.uid));
    // The counts follow with the row, not at some later sync.
    assert.equal(session.countsOf('INBOX')?.messages, before.messages - 1);
    assert.equal(session.countsOf('INBOX')?.unseen, before.unseen - (target.flags.seen ? 0 : 1));
  });

  it('drops a message moved away elsewhere, and counts it in the other folder', async () => {
    const target = session.loadedMessages('INBOX')!.messages.find((m) => m.subject === 'Existing 3')!;
    const removed = change('the move', (c) => c.removed.includes(target.uid));
    const counted = nextEvent(session.onDidChangeCounts, (cs) => cs.some((c) => c.path === 'Work' && c.messages === 1), 2_000, 'the Work count');
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageMove(String(target.uid), 'Work', { uid: true });
    } finally {
      lock.release();
    }
    await Promise.all([removed, counted]);
  });

  it('updates the unread count of a folder that is not open', async () => {
    const before = session.countsOf('Work')!;
    const counted = nextEvent(session.onDidChangeCounts, (cs) => cs.some((c) => c.path === 'Work' && c.unseen === before.unseen + 1), 2_000, 'the unread count');
    await other.append('Work', simpleMessage('Unread in Work'));
    await counted;
  });

  it('goes offline when the server drops the link, reconnects by itself and catches up', async () => {
    const states: ConnectionState['kind'][] = [];
    const sub = session.onDidChangeState((s) => states.push(s.kind));
    try {
      const conf = path.join(server.dir, 'dovecot.conf');
      execFileSync('doveadm', ['-c', conf, 'kick', 'alice']);
      await until(() => states.includes('offline'), 5_000, 'the session to notice the drop');
      // While we are away, mail arrives.
      await server.deliver('alice', 'INBOX', simpleMessage('Arrived while offline'));
      await until(() => session.connectionState.kind === 'online', 10_000, 'the session to come back');
      await until(
        () => session.loadedMessages('INBOX')?.messages.some((m) => m.subject === 'Arrived while offline'),
        5_000,
        'the catch-up after reconnecting',
      );
    } finally {
      sub.dispose();
    }
  });
});

describe('live counts without NOTIFY', function () {
  this.timeout(30_000);
  let server: DovecotServer;
  let session: AccountSession;

  before(async () => {
    server = await startDovecot();
    await server.createFolder('alice', 'Work');
    session = aliceSession(server, { pollInterval: 1, notify: false });
    await session.connect();
    await session.openFolder('INBOX');
  });
  after(async () => {
    session?.dispose();
    await server?.stop();
  });

  it('polls the unread counts of other folders every pollInterval seconds', async () => {
    const counted = nextEvent(session.onDidChangeCounts, (cs) => cs.some((c) => c.path === 'Work' && c.unseen === 1), 3_000, 'the polled count');
    await server.deliver('alice', 'Work', simpleMessage('Polled'));
    await counted;
  });

  it('still follows the open folder through IDLE', async () => {
    const arrived = nextEvent(session.onDidChangeMessages, (c) => c.added.some((m) => m.subject === 'Idle news'), 2_000, 'the new message');
    await server.deliver('alice', 'INBOX', simpleMessage('Idle news'));
    await arrived;
  });
});
