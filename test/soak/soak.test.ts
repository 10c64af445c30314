/**
 * Soak: another client changes the mailbox at 20+ operations a second (APPEND, STORE, EXPUNGE,
 * MOVE) while the links between Mailroom and the server are cut, the server restarts and a folder's
 * UIDVALIDITY changes; then the links are cut 20 times, 500 ms apart. At the end what Mailroom shows
 * must equal the server exactly (the open folders' mirrors and windows with their flags, every
 * folder's counts), no
 * connection may be left over, and nothing may have thrown. Bounded: MAILROOM_SOAK_SECONDS (60).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ImapFlow } from 'imapflow';
import { MailCache, type AccountSession } from '../../src/core';
import type { MailLog } from '../../src/core/imap/log';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { startImapProxy, type ImapProxy } from '../support/imapProxy';
import { otherClient } from '../support/otherClient';
import { aliceSession, type TestImapServer } from '../support/session';
import { until } from '../support/waitFor';

const SECONDS = Number(process.env.MAILROOM_SOAK_SECONDS ?? 60);
const FOLDERS = ['INBOX', 'Work', 'Archive'];
/** The folders the user has open in Mailroom during the soak. */
const OPEN = ['INBOX', 'Work'];

/** A deterministic random sequence, so a failing run can be repeated (MAILROOM_SOAK_SEED). */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** The other mail client: reconnects by itself, since the server restarts under it too. */
class OtherClient {
  private client: ImapFlow | undefined;
  constructor(private readonly server: TestImapServer) {}

  async use<T>(folder: string, work: (client: ImapFlow) => Promise<T>): Promise<T> {
    if (!this.client?.usable) {
      this.client = await otherClient(this.server);
    }
    const client = this.client;
    try {
      const lock = await client.getMailboxLock(folder);
      try {
        return await work(client);
      } finally {
        lock.release();
      }
    } catch (err) {
      // A folder deleted under this client's selection leaves it confused: start afresh next time.
      client.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.client?.logout().catch(() => this.client?.close());
  }
}

/**
 * Deletes `folder` and makes it again with one message (a new UIDVALIDITY), as another client
 * would: a step the server refuses for now (Mailroom's own connections may have the folder busy) is
 * tried again, from where it stopped, up to 5 times; then it fails in the server's words.
 */
async function changeUidValidity(other: OtherClient, folder: string): Promise<void> {
  const steps: ((client: ImapFlow) => Promise<unknown>)[] = [
    (client) => client.mailboxDelete(folder),
    (client) => client.mailboxCreate(folder),
    (client) => client.append(folder, simpleMessage(`${folder} after the change`)),
  ];
  let done = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      await other.use('INBOX', async (client) => {
        for (; done < steps.length; done++) await steps[done](client);
      });
      return;
    } catch (err) {
      const said = (err as { responseText?: string }).responseText;
      if (attempt === 5) throw new Error(`the other client could not change ${folder}'s UIDVALIDITY (step ${done + 1}): ${said ?? (err as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

describe('soak: a busy mailbox while links drop and the server restarts', function () {
  this.timeout((SECONDS + 150) * 1_000);
  let server: DovecotServer;
  let proxy: ImapProxy;
  let session: AccountSession;
  let other: OtherClient;
  let cacheDir: string;
  let cache: MailCache;
  const errors: string[] = [];
  const log: MailLog = { trace() {}, debug() {}, info() {}, warn() {}, error: (m) => errors.push(m) };
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    server = await startDovecot();
    for (const folder of FOLDERS.slice(1)) await server.createFolder('alice', folder);
    for (let i = 1; i <= 30; i++) await server.deliver('alice', 'INBOX', simpleMessage(`Before ${i}`));
    for (let i = 1; i <= 10; i++) await server.deliver('alice', 'Work', simpleMessage(`Work before ${i}`));
    proxy = await startImapProxy(server.port);
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-soak-'));
    cache = new MailCache(path.join(cacheDir, 'mirror.sqlite'), { log, maxBodyBytes: 1_000_000 });
    session = aliceSession({ host: '127.0.0.1', port: proxy.port, users: server.users }, {
      log,
      cache,
      backoff: { initial: 100, max: 1_000 },
      idleCheckSeconds: 2,
      watchedPollSeconds: 2,
      pollInterval: 10,
    });
    await session.connect();
    for (const folder of OPEN) await session.openFolder(folder);
    other = new OtherClient(server);
  });

  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    session?.dispose();
    cache?.close();
    if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
    await other?.close();
    await proxy?.stop();
    await server?.stop();
  });

  /** alice's IMAP connections that Dovecot counts now. */
  const connections = () => {
    const out = execFileSync('doveadm', ['-c', path.join(server.dir, 'dovecot.conf'), 'who', '-1', 'alice'], { encoding: 'utf8' });
    return out.split('\n').filter((line) => line.startsWith('alice ')).length;
  };

  /** What differs between Mailroom and the server now; empty when they agree. */
  async function differences(): Promise<string[]> {
    const found: string[] = [];
    for (const folder of FOLDERS) {
      let truth;
      try {
        truth = await other.use(folder, async (client) => ({
          messages: (client.mailbox && client.mailbox.exists ? await client.fetchAll('1:*', { uid: true, flags: true }, { uid: true }) : []) || [],
        }));
      } catch (err) {
        // The other client's own link may be catching up after the restart: ask again.
        found.push(`${folder}: the server could not be read (${(err as Error).message}: ${(err as { responseText?: string }).responseText ?? ''})`);
        continue;
      }
      const unseen = truth.messages.filter((m) => !m.flags?.has('\\Seen')).length;
      const counts = session.countsOf(folder);
      if (counts?.messages !== truth.messages.length || counts?.unseen !== unseen) {
        found.push(`${folder} counts: Mailroom ${counts?.messages}/${counts?.unseen}, server ${truth.messages.length}/${unseen}`);
      }
      const window = OPEN.includes(folder) ? session.loadedMessages(folder) : undefined;
      if (!window) continue;
      // The mirror: every message the server has from where the mirror starts, with its flags, and nothing else.
      const syncedFrom = cache.folder(folder)?.syncedFrom ?? Infinity;
      const mirrored = new Map(cache.window(folder, 1).map((m) => [m.uid, m]));
      const expected = truth.messages.filter((m) => m.uid >= syncedFrom);
      if (expected.length !== mirrored.size) found.push(`${folder}: the mirror holds ${mirrored.size} messages from UID ${syncedFrom}, the server has ${expected.length}`);
      for (const m of expected) {
        const mine = mirrored.get(m.uid);
        if (!mine) found.push(`${folder}: UID ${m.uid} is missing from the mirror`);
        else if (mine.flags.seen !== m.flags!.has('\\Seen') || mine.flags.flagged !== m.flags!.has('\\Flagged')) found.push(`${folder}: UID ${m.uid} has other flags in the mirror`);
      }
      let oldest = Infinity;
      for (const m of window.messages) oldest = Math.min(oldest, m.uid);
      const server = truth.messages.filter((m) => m.uid >= (window.messages.length ? oldest : 0));
      const shown = new Map(window.messages.map((m) => [m.uid, m]));
      if (server.length !== shown.size) found.push(`${folder}: Mailroom shows ${shown.size} messages from UID ${oldest}, the server has ${server.length}`);
      for (const m of server) {
        const mine = shown.get(m.uid);
        if (!mine) found.push(`${folder}: UID ${m.uid} is missing`);
        else if (mine.flags.seen !== m.flags!.has('\\Seen') || mine.flags.flagged !== m.flags!.has('\\Flagged')) found.push(`${folder}: UID ${m.uid} has other flags`);
      }
      if (!window.messages.length && truth.messages.length && !window.hasOlder) found.push(`${folder}: Mailroom shows nothing and no older mail, the server has ${truth.messages.length}`);
    }
    return found;
  }

  it('ends equal to the server, with no connection left over and nothing thrown', async () => {
    const next = random(Number(process.env.MAILROOM_SOAK_SEED ?? 20261122));
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
    const started = Date.now();
    const disruptions: [number, string, () => Promise<void> | void][] = [
      [0.15, 'cut', () => proxy.cutAll()],
      [0.3, 'cut', () => proxy.cutAll()],
      [0.45, 'server restart', () => server.restart()],
      [0.6, 'UIDVALIDITY change of Work', () => changeUidValidity(other, 'Work')],
      [0.75, 'cut', () => proxy.cutAll()],
    ];
    let ops = 0;
    let failedOps = 0;
    let serial = 0;
    while (Date.now() - started < SECONDS * 1_000) {
      const elapsed = (Date.now() - started) / (SECONDS * 1_000);
      while (disruptions.length && disruptions[0][0] <= elapsed) {
        await disruptions.shift()![2]();
      }
      const folder = pick(FOLDERS);
      const roll = next();
      try {
        await other.use(folder, async (client) => {
          const uids = roll < 0.35 ? [] : ((await client.search({ all: true }, { uid: true })) || []);
          if (roll < 0.35 || !uids.length) {
            await client.append(folder, simpleMessage(`Soak ${++serial}`), next() < 0.5 ? ['\\Seen'] : []);
          } else if (roll < 0.7) {
            const flag = pick(['\\Seen', '\\Flagged']);
            const uid = String(pick(uids));
            await (next() < 0.5 ? client.messageFlagsAdd(uid, [flag], { uid: true }) : client.messageFlagsRemove(uid, [flag], { uid: true }));
          } else if (roll < 0.85) {
            await client.messageDelete(String(pick(uids)), { uid: true });
          } else {
            await client.messageMove(String(pick(uids)), pick(FOLDERS.filter((f) => f !== folder)), { uid: true });
          }
        });
        ops++;
      } catch {
        // Around the restart the other client's own link drops too; it reconnects on the next operation.
        failedOps++;
      }
    }
    const rate = ops / SECONDS;
    for (let i = 0; i < 20; i++) {
      proxy.cutAll();
      await new Promise((r) => setTimeout(r, 500));
    }

    let last: string[] = [];
    try {
      await until(async () => (last = await differences()).length === 0, 45_000, 'Mailroom to agree with the server');
    } catch (err) {
      throw new Error(`${(err as Error).message}:\n${last.join('\n')}`);
    }
    assert.ok(rate >= 20, `the other client managed ${rate.toFixed(1)} operations a second (${failedOps} failed)`);
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
    assert.deepEqual(errors, [], 'no error logged');

    session.dispose();
    await other.close();
    await until(() => connections() === 0, 10_000, 'every connection to be closed');
  });
});
