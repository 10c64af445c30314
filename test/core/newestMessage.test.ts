/**
 * The newest message of a folder that is not open (`AccountSession.newestMessage`), which the
 * new-mail notification names when the folder is collapsed: asked on the command connection with the
 * folder neither opened nor mirrored and the listening connection left idling where it was; sender
 * and subject as the tree's rows read them; from the mirror where it holds that UID; an empty folder
 * has none, and a refused FETCH or an offline account is an error, never "none". Against Dovecot,
 * through the test proxy.
 */
import * as assert from 'node:assert/strict';
import type { AccountSession } from '../../src/core/account/accountSession';
import { MailCache } from '../../src/core/cache/mailCache';
import { MailError } from '../../src/core/imap/errors';
import { silentLog, type MailLog } from '../../src/core/imap/log';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { startImapProxy, type ImapProxy } from '../support/imapProxy';
import { userSession } from '../support/session';
import { until } from '../support/waitFor';

/** A sender and a subject in encoded words (RFC 2047), as mail from outside often has them. */
const JURGEN = '=?utf-8?Q?J=C3=BCrgen_M=C3=BCller?= <jm@example.com>';
const DEPLOY = '=?utf-8?B?RMOpcGxvaWVtZW50IMOpY2hvdcOp?='; // "Déploiement échoué"

describe('the newest message of a folder that is not open', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let proxy: ImapProxy;
  let session: AccountSession;
  let cache: MailCache;
  const lines: string[] = [];
  const log: MailLog = { trace: (m) => void lines.push(m), debug() {}, info() {}, warn() {}, error() {} };
  /** Commands the listening connection sent since `from`: any would mean it left the folder it idles on. */
  const watchCommandsSince = (from: number) => lines.slice(from).filter((l) => l.includes('C: ') && l.includes('[watch]'));
  const commandsSince = (from: number) => lines.slice(from).filter((l) => l.includes('C: ') && !l.includes('[watch]'));

  before(async () => {
    server = await startDovecot();
    await server.createFolder('alice', 'Empty');
    await server.createFolder('alice', 'Box');
    await server.deliver('alice', 'INBOX', simpleMessage('Older, unread', { from: 'Old Sender <old@example.com>' }));
    await server.deliver('alice', 'INBOX', simpleMessage(DEPLOY, { from: JURGEN }));
    for (let i = 1; i <= 3; i++) await server.deliver('alice', 'Box', simpleMessage(i === 3 ? DEPLOY : `Box ${i}`, { from: i === 3 ? JURGEN : undefined }));
    proxy = await startImapProxy(server.port);
    cache = new MailCache(MailCache.IN_MEMORY, { log: silentLog, maxBodyBytes: 0 });
    session = userSession({ ...server, port: proxy.port }, 'alice', { log, cache, pollInterval: 600, backoff: { initial: 60_000, max: 60_000 } });
    await session.connect();
    await until(() => proxy.idlingLinks > 0, 10_000, 'the watcher idling');
    await new Promise((resolve) => setTimeout(resolve, 500));
  });
  after(async () => {
    session?.dispose();
    cache?.close();
    await proxy?.stop();
    await server?.stop();
  });

  it('names the newest message, decoded, without opening the folder or moving the listening connection', async () => {
    const from = lines.length;
    const newest = await session.newestMessage('INBOX');
    assert.ok(newest, 'a newest message');
    assert.equal(newest.from?.name, 'Jürgen Müller');
    assert.equal(newest.from?.address, 'jm@example.com');
    assert.equal(newest.subject, 'Déploiement échoué');
    assert.equal(newest.flags.seen, false);
    assert.equal(newest.folder, 'INBOX');
    assert.equal(session.loadedMessages('INBOX'), undefined, 'INBOX not opened');
    assert.equal(session.isMirrored('INBOX'), false, 'INBOX not mirrored');
    assert.deepEqual(cache.uids('INBOX'), []);
    assert.deepEqual(watchCommandsSince(from), [], 'the listening connection sent nothing');
    assert.ok(proxy.idlingLinks > 0, 'the listening connection still idles');
    assert.ok(commandsSince(from).some((l) => /FETCH \S+ \(UID ENVELOPE/.test(l)), `asked on the command connection:\n${commandsSince(from).join('\n')}`);
  });

  it('an empty folder has none', async () => {
    assert.equal(await session.newestMessage('Empty'), undefined);
  });

  it('sees mail that came since, on a folder the command connection already has selected', async () => {
    const before = (await session.newestMessage('INBOX'))!;
    await server.deliver('alice', 'INBOX', simpleMessage('Just in', { from: 'Dana Demo <dana@example.com>' }));
    const after = (await session.newestMessage('INBOX'))!;
    assert.ok(after.uid > before.uid, `${after.uid} after ${before.uid}`);
    assert.equal(after.from?.name, 'Dana Demo');
    assert.equal(after.subject, 'Just in');
    assert.equal(after.uidValidity, before.uidValidity);
  });

  it('reads sender and subject as the tree\'s rows do, and from the mirror where it holds that UID', async () => {
    const asked = (await session.newestMessage('Box'))!;
    const page = await session.openFolder('Box');
    const row = page.messages[0];
    assert.equal(asked.uid, row.uid);
    assert.deepEqual(asked.from, row.from);
    assert.equal(asked.subject, row.subject);
    session.closeFolder('Box');
    await until(() => cache.uids('Box').includes(row.uid), 5_000, 'the row in the mirror');
    const from = lines.length;
    const kept = (await session.newestMessage('Box'))!;
    assert.deepEqual({ uid: kept.uid, from: kept.from, subject: kept.subject }, { uid: row.uid, from: row.from, subject: row.subject });
    const sent = commandsSince(from);
    assert.ok(sent.some((l) => /FETCH \S+ \(UID FLAGS/.test(l)), sent.join('\n'));
    assert.ok(!sent.some((l) => /ENVELOPE/.test(l)), `no ENVELOPE asked of a message the mirror holds:\n${sent.join('\n')}`);
  });

  it('a refused FETCH is an error in plain words, not "no message"', async () => {
    const refused = proxy.refuseWhenClientSends(/^\S+ FETCH \S+ \(UID FLAGS/);
    await assert.rejects(session.newestMessage('INBOX'), (err: unknown) => err instanceof MailError && /INBOX|server/i.test(err.message));
    await refused;
  });

  it('offline, it fails at once instead of connecting', async () => {
    proxy.accepting = false;
    proxy.cutAll();
    await until(() => session.connectionState.kind === 'offline', 10_000, 'offline');
    const states: string[] = [];
    const listening = session.onDidChangeState((state) => states.push(state.kind));
    const started = Date.now();
    try {
      await assert.rejects(session.newestMessage('INBOX'), MailError);
      assert.ok(Date.now() - started < 500, `failed after ${Date.now() - started} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(states, [], 'no connect ahead of the backoff');
    } finally {
      listening.dispose();
    }
  });
});
