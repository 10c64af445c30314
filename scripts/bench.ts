/**
 * `npm run bench`: Mailroom's costs on a 100,000-message folder, each printed as a ratio to a raw
 * IMAP baseline measured in the same run on the same server (these machines are shared and noisy;
 * ratios travel, milliseconds do not). Prints figures; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { AccountSession, MailCache, silentLog, type CachedMessage } from '../src/core';

import { startDovecot, type DovecotServer } from '../test/support/dovecot';
import { simpleMessage } from '../test/support/fixtures';

const MESSAGES = Number(process.env.MAILROOM_BENCH_MESSAGES ?? 100_000);
/** Measured rounds per figure (median and spread are reported), after WARMUP unmeasured ones. */
const RUNS = Number(process.env.MAILROOM_BENCH_RUNS ?? 7);
const WARMUP = 2;

/** Writes the folder straight into Maildir: 100k messages in seconds instead of minutes of APPEND. */
function fillMaildir(server: DovecotServer, folder: string, count: number): void {
  const cur = path.join(server.dir, 'mail', 'alice', `.${folder}`, 'cur');
  fs.mkdirSync(cur, { recursive: true });
  const start = Date.UTC(2026, 0, 1);
  for (let i = 1; i <= count; i++) {
    const date = new Date(start + i * 60_000);
    const body = simpleMessage(`[octo/repo] Build #${i} ${i % 7 ? 'passed' : 'failed'}`, {
      from: 'CI <builds@ci.example.com>',
      date,
      body: `Build ${i} finished.\r\nSee https://ci.example.com/builds/${i}`,
    });
    fs.writeFileSync(path.join(cur, `${Math.floor(date.getTime() / 1000)}.M${i}P1.bench:2,${i % 3 ? 'S' : ''}`), body);
  }
  execFileSync('chown', ['-R', 'dovecot:dovecot', path.join(server.dir, 'mail')]);
}

/** A bare IMAP client on a socket: the cheapest way to ask the same question. */
class RawImap {
  private buffer = '';
  private tag = 0;
  private waiting: { tag: string; resolve: (text: string) => void } | undefined;
  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      const w = this.waiting;
      if (w && new RegExp(`(^|\\r\\n)${w.tag} (OK|NO|BAD)[^\\r\\n]*\\r\\n$`).test(this.buffer)) {
        const text = this.buffer;
        this.buffer = '';
        this.waiting = undefined;
        w.resolve(text);
      }
    });
  }
  static async open(port: number): Promise<RawImap> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise((resolve) => socket.once('data', resolve));
    const raw = new RawImap(socket);
    await raw.run('LOGIN alice secret');
    return raw;
  }
  run(command: string): Promise<string> {
    const tag = `R${++this.tag}`;
    return new Promise((resolve) => {
      this.waiting = { tag, resolve };
      this.socket.write(`${tag} ${command}\r\n`);
    });
  }
  close(): void {
    this.socket.destroy();
  }
}

async function time(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

interface Figure {
  name: string;
  raw: number[];
  ours: number[];
}

/**
 * Runs the raw baseline and Mailroom's version of the same work interleaved (raw first on even
 * rounds, ours first on odd ones), after WARMUP unmeasured rounds of each, so that a noisy
 * neighbour or a cold cache weighs on both alike. Returns every sample of both.
 */
async function compare(name: string, raw: () => Promise<unknown>, ours: () => Promise<unknown>): Promise<Figure> {
  for (let i = 0; i < WARMUP; i++) {
    await raw();
    await ours();
  }
  const figure: Figure = { name, raw: [], ours: [] };
  for (let i = 0; i < RUNS; i++) {
    if (i % 2 === 0) {
      figure.raw.push(await time(raw));
      figure.ours.push(await time(ours));
    } else {
      figure.ours.push(await time(ours));
      figure.raw.push(await time(raw));
    }
  }
  return figure;
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `median (min–max)` of samples in ms. */
function spread(samples: readonly number[]): string {
  let low = Infinity;
  let high = -Infinity;
  for (const s of samples) {
    low = Math.min(low, s);
    high = Math.max(high, s);
  }
  return `${median(samples).toFixed(1)} (${low.toFixed(1)}–${high.toFixed(1)})`;
}

function printFigures(figures: readonly Figure[]): void {
  console.log(`| work | raw IMAP, ms: median (min–max) of ${RUNS} | Mailroom, ms | ratio of medians | ratio per round (min–max) |`);
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const f of figures) {
    const ratios = f.ours.map((ours, i) => ours / f.raw[i]);
    let low = Infinity;
    let high = -Infinity;
    for (const r of ratios) {
      low = Math.min(low, r);
      high = Math.max(high, r);
    }
    console.log(`| ${f.name} | ${spread(f.raw)} | ${spread(f.ours)} | ${(median(f.ours) / median(f.raw)).toFixed(2)}x | ${low.toFixed(2)}–${high.toFixed(2)}x |`);
  }
}

async function main(): Promise<void> {
  const server = await startDovecot();
  try {
    await server.createFolder('alice', 'Big');
    await server.createFolder('alice', 'Other');
    const filled = await time(async () => fillMaildir(server, 'Big', MESSAGES));
    const raw = await RawImap.open(server.port);
    // Let Dovecot index the folder once, outside any measurement.
    const indexed = await time(() => raw.run('SELECT Big'));
    await raw.run('SELECT Other');
    console.log(`folder of ${MESSAGES} messages written in ${filled.toFixed(0)} ms, indexed by Dovecot in ${indexed.toFixed(0)} ms\n`);

    const session = new AccountSession({ id: 'b', name: 'Bench', host: '127.0.0.1', port: server.port, security: 'none', user: 'alice' }, 'secret', {
      log: silentLog,
      pollInterval: 60,
    });
    await session.connect();

    const figures: Figure[] = [];
    const page = 'UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODYSTRUCTURE';
    figures.push(
      await compare(
        'open folder: newest 50',
        async () => {
          await raw.run('SELECT Big');
          await raw.run(`FETCH ${MESSAGES - 49}:* (${page})`);
          await raw.run('SELECT Other');
        },
        async () => {
          session.closeFolder('Big');
          await session.openFolder('Big');
          session.closeFolder('Big');
          await session.openFolder('Other');
        },
      ),
    );
    await session.openFolder('Big');
    await raw.run('SELECT Big');
    let rawOlder = MESSAGES - 50;
    figures.push(
      await compare(
        'load 50 older',
        async () => {
          await raw.run(`FETCH ${rawOlder - 49}:${rawOlder} (${page})`);
          rawOlder -= 50;
        },
        () => session.loadOlder('Big'),
      ),
    );
    figures.push(
      await compare(
        'catch up an open folder (no change)',
        async () => {
          await raw.run('NOOP');
          await raw.run(`UID FETCH ${MESSAGES - 299}:* (UID FLAGS)`);
        },
        () => session.catchUpFolder('Big'),
      ),
    );
    figures.push(
      await compare(
        'refresh the folder list',
        () => raw.run('LIST "" "*"'),
        () => session.refreshFolders(),
      ),
    );
    printFigures(figures);
    await benchMirrorStore(MESSAGES);

    const window = session.loadedMessages('Big')?.messages.length ?? 0;
    const heap = process.memoryUsage().heapUsed / 1024 / 1024;
    console.log(`\nopen window: ${window} of ${MESSAGES} messages held; heap in use ${heap.toFixed(1)} MiB`);
    session.dispose();
    raw.close();
  } finally {
    await server.stop();
  }
}

/**
 * The mirror's store on its own (not yet fed by sync): putting a whole folder's summaries, the
 * first page of a warm open at two folder sizes (it should not grow with the folder), and bytes on
 * disk per message. Figures to build the sync engine against; no raw baseline applies.
 */
async function benchMirrorStore(count: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-bench-cache-'));
  try {
    const firstPage: Record<number, number[]> = {};
    // The first size measured must not pay for warming up the SQLite code and the JIT.
    const warm = new MailCache(path.join(dir, 'warm.sqlite'), { log: silentLog, maxBodyBytes: 0 });
    warm.putMessages('Big', Array.from({ length: 200 }, (_, i) => benchSummary(i + 1)));
    for (let i = 0; i < 50; i++) warm.page('Big', 50);
    warm.close();
    for (const size of [Math.max(1, Math.floor(count / 10)), count]) {
      const file = path.join(dir, `cache-${size}.sqlite`);
      const cache = new MailCache(file, { log: silentLog, maxBodyBytes: 0 });
      cache.saveFolder({ path: 'Big', uidValidity: '1' });
      const summaries = Array.from({ length: size }, (_, i) => benchSummary(i + 1));
      const put = await time(async () => cache.putMessages('Big', summaries));
      firstPage[size] = [];
      for (let i = 0; i < WARMUP + RUNS; i++) {
        const ms = await time(async () => cache.page('Big', 50));
        if (i >= WARMUP) firstPage[size].push(ms);
      }
      cache.close();
      const bytes = fs.statSync(file).size;
      console.log(`mirror store, ${size} summaries: put in ${put.toFixed(0)} ms, first page ${spread(firstPage[size])} ms, ${(bytes / size).toFixed(0)} bytes per message on disk`);
    }
    const [small, large] = Object.keys(firstPage).map(Number);
    console.log(`warm first page, ${large} against ${small}: ${(median(firstPage[large]) / median(firstPage[small])).toFixed(2)}x (flat is 1x)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function benchSummary(uid: number): CachedMessage {
  return {
    uid,
    uidValidity: '1',
    folder: 'Big',
    subject: `[octo/repo] Build #${uid} ${uid % 7 ? 'passed' : 'failed'}`,
    from: { name: 'CI', address: 'builds@ci.example.com' },
    to: [{ address: 'alice@example.com' }],
    cc: [],
    date: new Date(Date.UTC(2026, 0, 1) + uid * 60_000).toISOString(),
    flags: { seen: uid % 3 !== 0, flagged: false, answered: false, deleted: false, draft: false },
    hasAttachment: false,
    size: 900,
    messageId: `<build-${uid}@ci.example.com>`,
    listId: '<repo.octo.github.com>',
    githubReason: 'ci_activity',
  };
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
