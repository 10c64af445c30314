/**
 * What the user sees between syncs, right after each event, not only after a later sync that would
 * repair whatever came before: a UID SEARCH that fails or is cut is not "nothing there" (CONDSTORE
 * without QRESYNC, RFC 7162 3.1). (A message expunged while the background fill holds its chunk
 * fetched but not stored: liveReports.test.ts.) Against Dovecot, through the test proxy.
 */
import * as assert from 'node:assert/strict';
import type { ImapFlow } from 'imapflow';
import type { AccountSession } from '../../src/core/account/accountSession';
import { MailCache } from '../../src/core/cache/mailCache';
import { silentLog } from '../../src/core/imap/log';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { startImapProxy, type ImapProxy } from '../support/imapProxy';
import { otherClient } from '../support/otherClient';
import { userSession } from '../support/session';
import { until } from '../support/waitFor';

/** Dovecot's capabilities less QRESYNC (and NOTIFY): the sync checks what is left with UID SEARCH. */
const CONDSTORE_ONLY =
  'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT UIDPLUS NAMESPACE CHILDREN LIST-EXTENDED ESEARCH LIST-STATUS BINARY MOVE LITERAL+ SPECIAL-USE CONDSTORE';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a UID SEARCH that fails, on a server with CONDSTORE and no QRESYNC', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let proxy: ImapProxy;
  let session: AccountSession;
  let cache: MailCache;
  let other: ImapFlow;
  const removed: number[] = [];

  before(async () => {
    server = await startDovecot({ capabilities: CONDSTORE_ONLY });
    await server.createFolder('alice', 'Box');
    for (let i = 1; i <= 10; i++) await server.deliver('alice', 'Box', simpleMessage(`Box ${i}`));
    proxy = await startImapProxy(server.port);
    cache = new MailCache(MailCache.IN_MEMORY, { log: silentLog, maxBodyBytes: 0 });
    session = userSession({ ...server, port: proxy.port }, 'alice', { cache, pageSize: 20, fillChunk: 0, backoff: { initial: 200, max: 1_000 } });
    session.onDidChangeMessages((change) => removed.push(...change.removed));
    await session.connect();
    await session.openFolder('Box');
    other = await otherClient(server);
    await other.mailboxOpen('Box');
    await until(() => proxy.idlingLinks > 0, 10_000, 'the watcher idling');
    await pause(500);
  });
  after(async () => {
    await other?.logout().catch(() => undefined);
    session?.dispose();
    cache?.close();
    await proxy?.stop();
    await server?.stop();
  });

  /** Right after the failed SEARCH, and once the folder has synced again: every message still there. */
  async function nothingRemoved(flaggedUid: number): Promise<void> {
    await pause(300);
    assert.deepEqual(removed, [], 'no row left the window');
    assert.equal(session.loadedMessages('Box')!.messages.length, 10);
    assert.equal(cache.uids('Box').length, 10);
    assert.equal(session.countsOf('Box')?.messages, 10);
    // The next sync (the refused one tried again, or the one after reconnecting) takes the change.
    await until(() => session.loadedMessages('Box')?.messages.find((m) => m.uid === flaggedUid)?.flags.flagged, 10_000, 'the flag shown');
    assert.deepEqual(removed, []);
    assert.equal(cache.uids('Box').length, 10);
  }

  it('refused (NO) is an error, not an empty folder', async () => {
    const uid = cache.uids('Box')[3];
    const refused = proxy.refuseWhenClientSends(/^\S+ UID SEARCH /);
    await other.messageFlagsAdd(String(uid), ['\\Flagged'], { uid: true });
    await refused;
    await nothingRemoved(uid);
  });

  it('cut (the link drops under it) is an error, not an empty folder', async () => {
    const uid = cache.uids('Box')[5];
    const cut = proxy.cutWhenClientSends(/^\S+ UID SEARCH /);
    await other.messageFlagsAdd(String(uid), ['\\Flagged'], { uid: true });
    await cut;
    await nothingRemoved(uid);
  });
});
