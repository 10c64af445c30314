/**
 * Changes another client makes to the open folder reach the mirror straight from the listening
 * connection (RFC 7162: with QRESYNC the server names the UID of every FETCH and VANISHED), with no
 * command on the command connection and no catch-up.
 */
import * as assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { AccountSession } from '../../src/core/account/accountSession';
import type { MailLog } from '../../src/core/imap/log';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { nextEvent } from '../support/waitFor';

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
    other = new ImapFlow({ host: '127.0.0.1', port: server.port, secure: false, auth: { user: 'alice', pass: 'secret' }, logger: false });
    other.on('error', () => undefined);
    await other.connect();
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
