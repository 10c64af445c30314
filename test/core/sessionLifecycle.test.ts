/**
 * A session's connections over its life, counted by Dovecot itself: a session disposed while it
 * connects leaves nothing logged in, and a lost link racing a manual Retry ends with one pair of
 * connections, never two.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { aliceSession } from '../support/session';
import { until } from '../support/waitFor';

describe('a session\'s connections', function () {
  this.timeout(60_000);
  let server: DovecotServer;

  before(async () => {
    server = await startDovecot();
  });
  after(async () => {
    await server?.stop();
  });

  /** alice's IMAP connections that Dovecot counts now. */
  const connections = () => {
    const out = execFileSync('doveadm', ['-c', path.join(server.dir, 'dovecot.conf'), 'who', '-1', 'alice'], { encoding: 'utf8' });
    return out.split('\n').filter((line) => line.startsWith('alice ')).length;
  };

  for (const after of [0, 2, 10, 30, 80]) {
    it(`leaves no connection logged in when disposed ${after} ms into connecting`, async () => {
      const session = aliceSession(server);
      const connecting = session.connect();
      await new Promise((r) => setTimeout(r, after));
      session.dispose();
      await connecting.catch(() => undefined);
      await until(() => connections() === 0, 5_000, 'every connection to be gone');
    });
  }

  it('ends with one pair of connections when a Retry races a lost link', async () => {
    const session = aliceSession(server, { backoff: { initial: 150, max: 300 } });
    try {
      await session.connect();
      await until(() => connections() === 2, 5_000, 'the two connections of one session');
      // The server drops both links; the user presses Retry at once, while the session is still
      // closing the old ones and has a reconnect of its own scheduled.
      execFileSync('doveadm', ['-c', path.join(server.dir, 'dovecot.conf'), 'kick', 'alice']);
      await session.retry().catch(() => undefined);
      await until(() => session.connectionState.kind === 'online', 10_000, 'the session to be online again');
      await until(() => connections() === 2, 5_000, 'one pair of connections');
      // Any second pair would come from the scheduled reconnect, within the backoff's maximum.
      for (const end = Date.now() + 1_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
        assert.equal(connections(), 2, 'never a second pair');
      }
    } finally {
      session.dispose();
    }
  });
});
