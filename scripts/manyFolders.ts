/**
 * `node --expose-gc out/scripts/manyFolders.js`: connect to an account with 100,000 folders at the
 * top level (`MAILROOM_FOLDERS`) on a test Dovecot without its list index, and print when the
 * server's LIST answer begins and ends (a raw socket), when the session shows its first folders, is
 * online and has every folder, and the heap meanwhile (sampled every 5 ms) and after; then a
 * restart (a new session on the same mirror file): how soon the folders kept from the last listing
 * show, before the server is asked. Asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { AccountSession, MailCache, silentLog } from '../src/core';
import { startDovecot, type DovecotServer } from '../test/support/dovecot';
import { simpleMessage } from '../test/support/fixtures';
import { RawImap } from './bench/rawImap';

const FOLDERS = Number(process.env.MAILROOM_FOLDERS ?? 100_000);
const ROUNDS = Number(process.env.MAILROOM_FOLDER_ROUNDS ?? 2);
const MB = 1024 * 1024;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function makeFolders(server: DovecotServer): void {
  const home = path.join(server.dir, 'mail', 'alice');
  for (let i = 0; i < FOLDERS; i++) fs.mkdirSync(path.join(home, `.F${i}`, 'cur'), { recursive: true });
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'dovecot:dovecot', home]);
}

/** Milliseconds from the LIST to its first `* LIST` line and to its tagged OK, on a raw socket. */
async function rawList(server: DovecotServer): Promise<{ first: number; all: number }> {
  const raw = await RawImap.open(server.port);
  try {
    const started = performance.now();
    let first = 0;
    const firstLine = raw.news(/\* LIST/).then(() => (first = performance.now() - started));
    await raw.run('LIST "" "%"');
    await firstLine;
    return { first, all: performance.now() - started };
  } finally {
    raw.close();
  }
}

async function measure(server: DovecotServer, cache: MailCache): Promise<void> {
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
  const session = new AccountSession({ id: 'm', name: 'Many', host: '127.0.0.1', port: server.port, security: 'none', user: 'alice' }, 'secret', {
    log: silentLog,
    pollInterval: 600,
    cache,
  });
  const started = performance.now();
  let first = 0;
  let all = 0;
  const sub = session.onDidChangeFolders((folders) => {
    if (!first && folders.length) first = performance.now() - started;
    if (!all && session.foldersComplete) all = performance.now() - started;
  });
  await session.connect();
  const online = performance.now() - started;
  const shownAtOnline = session.folders.length;
  await session.wholeFolderTree();
  all ||= performance.now() - started;
  clearInterval(sampler);
  sub.dispose();
  gc();
  const after = process.memoryUsage().heapUsed;
  console.log(
    `session: first folders ${(first / 1000).toFixed(2)} s, online ${(online / 1000).toFixed(2)} s ` +
      `with ${shownAtOnline} shown, every folder (${session.folders.length}) ${(all / 1000).toFixed(2)} s; heap peak ${((peak - base) / MB).toFixed(0)} MB ` +
      `above the ${(base / MB).toFixed(0)} MB before, ${((after - base) / MB).toFixed(0)} MB held after (gc)`,
  );
  session.dispose();
}

/** A new session on the mirror file of an earlier connect: the kept folders show before the server answers. */
async function restart(server: DovecotServer, file: string): Promise<void> {
  gc();
  const started = performance.now();
  const cache = new MailCache(file, { log: silentLog, maxBodyBytes: 0 });
  const session = new AccountSession({ id: 'm', name: 'Many', host: '127.0.0.1', port: server.port, security: 'none', user: 'alice' }, 'secret', {
    log: silentLog,
    pollInterval: 600,
    cache,
  });
  const shown = performance.now() - started;
  console.log(`restart: ${session.folders.length} folders kept from the last listing shown ${shown.toFixed(0)} ms after the mirror file is opened, before connecting`);
  session.dispose();
  cache.close();
}

async function main(): Promise<void> {
  const server = await startDovecot({ listIndex: false });
  try {
    await server.deliver('alice', 'INBOX', simpleMessage('Hello'));
    makeFolders(server);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-folders-'));
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const raw = await rawList(server);
        console.log(`raw LIST "" "%": first line ${(raw.first / 1000).toFixed(2)} s, tagged OK ${(raw.all / 1000).toFixed(2)} s`);
        // Each round a first connect: a mirror file of its own.
        const cache = new MailCache(path.join(dir, `first-${round}.sqlite`), { log: silentLog, maxBodyBytes: 0 });
        await measure(server, cache);
        cache.close();
      }
      await restart(server, path.join(dir, 'first-0.sqlite'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
