/**
 * The command connection dies while the listening one logs in: a link that drops at the wrong
 * moment. The attempt fails and the next one makes a new pair: the account is never online on half
 * a pair, and nothing of the failed attempt stays logged in. (The soak found a listening connection
 * still idling after the session was disposed: the dead pair had been replaced without being closed.)
 */
import * as assert from 'node:assert/strict';
import type { AccountSession } from '../../src/core/account/accountSession';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { startImapProxy, type ImapProxy } from '../support/imapProxy';
import { aliceSession } from '../support/session';
import { until } from '../support/waitFor';

describe('a connection lost while the pair of connections is made', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let proxy: ImapProxy;
  let session: AccountSession | undefined;

  before(async () => {
    server = await startDovecot();
    await server.deliver('alice', 'INBOX', simpleMessage('Hello'));
    proxy = await startImapProxy(server.port);
  });
  after(async () => {
    session?.dispose();
    await proxy?.stop();
    await server?.stop();
  });

  it('is never online on half a pair, and leaves no connection behind', async () => {
    // The second login is the listening connection's: the command connection is cut under it.
    const cut = proxy.cutOthersWhenClientSends(/^\S+ AUTHENTICATE /, 2);
    const s = aliceSession({ ...server, port: proxy.port }, { backoff: { initial: 100, max: 200 } });
    session = s;
    const halfOnline: number[] = [];
    s.onDidChangeState((state) => {
      if (state.kind === 'online' && proxy.links !== 2) halfOnline.push(proxy.links);
    });
    await s.connect().catch(() => undefined);
    await cut;
    await until(() => s.connectionState.kind === 'online', 10_000, 'online again');
    const page = await s.openFolder('INBOX');
    assert.deepEqual(page.messages.map((m) => m.subject), ['Hello']);
    assert.equal(proxy.links, 2, 'one pair of connections');
    assert.deepEqual(halfOnline, [], 'online with other than one pair');
    s.dispose();
    await until(() => proxy.links === 0, 5_000, `every connection closed after dispose (${proxy.links} left)`);
  });
});
