/**
 * `npm run bench`: Mailroom's costs on a 100,000-message folder, each printed as a ratio to a raw
 * IMAP baseline measured in the same run on the same server (these machines are shared and noisy;
 * ratios travel, milliseconds do not). Prints figures; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { AccountSession } from '../src/core/account/accountSession';
import { silentLog } from '../src/core/imap/log';
import { startDovecot, type DovecotServer } from '../test/support/dovecot';
import { simpleMessage } from '../test/support/fixtures';

const MESSAGES = Number(process.env.MAILROOM_BENCH_MESSAGES ?? 100_000);
const RUNS = 5;

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

async function median(work: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await time(work));
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
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

    const rows: [string, number, number][] = [];
    const page = 'UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODYSTRUCTURE';
    rows.push([
      'open folder: newest 50',
      await median(async () => {
        await raw.run('SELECT Big');
        await raw.run(`FETCH ${MESSAGES - 49}:* (${page})`);
        await raw.run('SELECT Other');
      }),
      await median(async () => {
        session.closeFolder('Big');
        await session.openFolder('Big');
        session.closeFolder('Big');
        await session.openFolder('Other');
      }),
    ]);
    await session.openFolder('Big');
    await raw.run('SELECT Big');
    let rawOlder = MESSAGES - 50;
    rows.push([
      'load 50 older',
      await median(async () => {
        await raw.run(`FETCH ${rawOlder - 49}:${rawOlder} (${page})`);
        rawOlder -= 50;
      }),
      await median(() => session.loadOlder('Big')),
    ]);
    rows.push([
      'catch up an open folder (no change)',
      await median(async () => {
        await raw.run('NOOP');
        await raw.run(`UID FETCH ${MESSAGES - 299}:* (UID FLAGS)`);
      }),
      await median(() => session.catchUpFolder('Big')),
    ]);
    rows.push([
      'refresh folder list with counts',
      await median(() => raw.run('LIST "" "*" RETURN (STATUS (MESSAGES UNSEEN UIDNEXT HIGHESTMODSEQ))')),
      await median(() => session.refreshFolders()),
    ]);

    console.log('| work | raw IMAP (ms) | Mailroom (ms) | ratio |');
    console.log('| --- | ---: | ---: | ---: |');
    for (const [name, baseline, ours] of rows) {
      console.log(`| ${name} | ${baseline.toFixed(1)} | ${ours.toFixed(1)} | ${(ours / baseline).toFixed(2)}x |`);
    }
    const window = session.loadedMessages('Big')?.messages.length ?? 0;
    const heap = process.memoryUsage().heapUsed / 1024 / 1024;
    console.log(`\nopen window: ${window} of ${MESSAGES} messages held; heap in use ${heap.toFixed(1)} MiB`);
    session.dispose();
    raw.close();
  } finally {
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
