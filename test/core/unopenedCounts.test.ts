/**
 * The folder the listening connection idles on (INBOX at first) while it is not open in the tree:
 * new mail there comes as EXISTS, not as a NOTIFY STATUS, and its counts (the tree's count, the
 * badge) must follow all the same. Against Dovecot.
 */
import * as assert from 'node:assert/strict';
import type { AccountSession } from '../../src/core/account/accountSession';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { aliceSession } from '../support/session';
import { until } from '../support/waitFor';

describe('new mail in the watched folder while it is not open', function () {
  this.timeout(30_000);
  let server: DovecotServer;
  let session: AccountSession;

  before(async () => {
    server = await startDovecot();
    await server.deliver('alice', 'INBOX', simpleMessage('There before'));
    session = aliceSession(server, { pollInterval: 600 });
    await session.connect();
    await until(() => session.countsOf('INBOX')?.messages === 1, 10_000, 'the first count');
  });
  after(async () => {
    session?.dispose();
    await server?.stop();
  });

  it('counts it within 2 s, with nothing open', async () => {
    assert.equal(session.loadedMessages('INBOX'), undefined, 'INBOX is not open');
    await server.deliver('alice', 'INBOX', simpleMessage('New one'));
    await until(() => session.countsOf('INBOX')?.messages === 2, 2_000, 'the new count');
    assert.equal(session.countsOf('INBOX')?.unseen, 2);
  });
});
