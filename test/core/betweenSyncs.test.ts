/**
 * What the user sees between syncs, right after each event, not only after a later sync that would
 * repair whatever came before: a UID SEARCH that fails or is cut is not "nothing there" (CONDSTORE
 * without QRESYNC, RFC 7162 3.1), and a message expunged while the background fill holds its chunk
 * fetched but not stored leaves the mirror. Against Dovecot, through the test proxy.
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

describe('a message expunged while the background fill holds its chunk fetched but not stored', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let proxy: ImapProxy;
  let other: ImapFlow;
  const transcript: string[] = [];

  before(async () => {
    server = await startDovecot();
    await server.createFolder('alice', 'Fill');
    other = await otherClient(server);
    for (let i = 1; i <= 300; i++) await other.append('Fill', simpleMessage(`Fill ${i}`));
    await other.mailboxOpen('Fill');
    proxy = await startImapProxy(server.port, { transcript });
  });
  after(async () => {
    await other?.logout().catch(() => undefined);
    await proxy?.stop();
    await server?.stop();
  });

  it('leaves the mirror without it once the chunk is stored', async () => {
    const cache = new MailCache(MailCache.IN_MEMORY, { log: silentLog, maxBodyBytes: 0 });
    const session = userSession({ ...server, port: proxy.port }, 'alice', { cache, pageSize: 20, fillChunk: 20 });
    try {
      await session.connect();
      // The last chunk of the fill (sequence numbers 1 to 20): by then the open's own catch-ups are
      // long done, so nothing but the guard can make the folder sync again after the chunk.
      const held = proxy.holdWhenClientSends(/^\S+ FETCH 1:20 \(UID FLAGS ENVELOPE/);
      await session.openFolder('Fill');
      const letGo = await held;
      await until(() => proxy.idlingLinks > 0, 10_000, 'the watcher idling');
      await pause(300);
      const uids = ((await other.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
      const victim = uids[9];
      // The listening connection is told of the expunge (VANISHED, RFC 7162 3.2.10) while the
      // chunk's answer is held: its report must wait for the chunk to be stored, then remove it.
      await other.messageDelete(String(victim), { uid: true });
      await until(() => transcript.some((line) => line === `S: * VANISHED ${victim}`), 10_000, 'the expunge reported');
      await pause(100);
      letGo();
      await until(() => session.mirrorProgress('Fill')?.whole, 10_000, 'the fill done');
      const left = JSON.stringify(uids.filter((uid) => uid !== victim));
      await until(() => JSON.stringify(cache.uids('Fill')) === left, 10_000, 'the mirror without the expunged message');
    } finally {
      session.dispose();
      cache.close();
    }
  });
});
