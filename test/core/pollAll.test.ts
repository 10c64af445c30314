/**
 * Counts on a server without NOTIFY that has LIST-STATUS (Cyrus): every folder of a small account
 * is counted by one LIST-STATUS every `watchedPollSeconds`, so a folder shown but neither open nor
 * watched follows another client within that, not at `pollInterval`; on the wire, one LIST a poll
 * and no STATUS per folder.
 */
import * as assert from 'node:assert/strict';
import type { ImapFlow } from 'imapflow';
import type { AccountSession } from '../../src/core/account/accountSession';
import { startCyrus, type CyrusServer } from '../support/cyrus';
import { simpleMessage } from '../support/fixtures';
import { startImapProxy, type ImapProxy } from '../support/imapProxy';
import { otherClient } from '../support/otherClient';
import { aliceSession } from '../support/session';
import { until } from '../support/waitFor';

const POLL_SECONDS = 2;

describe('counts without NOTIFY, on Cyrus (LIST-STATUS)', function () {
  this.timeout(60_000);
  let server: CyrusServer;
  let proxy: ImapProxy;
  let session: AccountSession;
  let other: ImapFlow;
  const transcript: string[] = [];

  before(async () => {
    server = await startCyrus();
    proxy = await startImapProxy(server.port, { transcript });
    other = await otherClient(server);
    for (const folder of ['INBOX.Lists', 'INBOX.Builds']) await other.mailboxCreate(folder);
    // pollInterval long: only the one-LIST poll can bring the counts in time.
    session = aliceSession({ ...server, port: proxy.port }, { pollInterval: 600, watchedPollSeconds: POLL_SECONDS, watchedFolders: ['INBOX'] });
    await session.connect();
    await session.wholeFolderTree();
    await until(() => session.countsOf('INBOX.Builds') !== undefined, 10_000, 'the first counts');
  });
  after(async () => {
    await other?.logout().catch(() => undefined);
    session?.dispose();
    await proxy?.stop();
    await server?.stop();
  });

  it('follows another client in a folder shown, neither open nor watched, within the poll', async () => {
    const before = session.countsOf('INBOX.Builds')!.messages;
    transcript.length = 0;
    await other.append('INBOX.Builds', simpleMessage('Build 1 failed'));
    await other.append('INBOX.Builds', simpleMessage('Build 2 failed'));
    const started = Date.now();
    await until(() => session.countsOf('INBOX.Builds')?.messages === before + 2, (POLL_SECONDS + 3) * 1_000, 'the new count');
    assert.ok(Date.now() - started < (POLL_SECONDS + 3) * 1_000);
    assert.equal(session.countsOf('INBOX.Builds')?.unseen, 2);
    const sent = transcript.filter((line) => line.startsWith('C: '));
    assert.ok(sent.some((line) => /^C: \S+ LIST .*RETURN \(.*STATUS/.test(line)), `one LIST-STATUS: ${sent.join(' | ')}`);
    assert.ok(!sent.some((line) => /^C: \S+ STATUS /.test(line)), 'no STATUS per folder');
  });
});
