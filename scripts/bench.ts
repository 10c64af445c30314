/**
 * `npm run bench`: Mailroom's costs on folders of 10,000 and 100,000 notification mails, each
 * printed as a ratio to a raw IMAP baseline measured in the same run on the same server (these
 * machines are shared and noisy; ratios travel, milliseconds do not). Prints figures; asserts nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AccountSession, MailCache, silentLog, type MirrorProgress } from '../src/core';
import { startDovecot, type DovecotServer } from '../test/support/dovecot';
import { compare, median, printFigures, RUNS, spread, time, WARMUP, type Figure } from './bench/figures';
import { fillMaildir } from './bench/maildir';
import { benchLatency } from './bench/latency';
import { benchMirrorStore } from './bench/mirrorStore';
import { benchTriage } from './bench/triage';
import { RawImap } from './bench/rawImap';

const MESSAGES = Number(process.env.MAILROOM_BENCH_MESSAGES ?? 100_000);
const SMALL = Math.max(1, Math.floor(MESSAGES / 10));
const BACKLOG = Math.min(20_000, MESSAGES);
/** Rounds of the full mirror of the large folder (each takes seconds). */
const MIRROR_RUNS = Number(process.env.MAILROOM_BENCH_MIRROR_RUNS ?? 5);
/** What the mirror fetches of each message, asked of the raw socket for the baselines. */
const PAGE_ITEMS = 'UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (REFERENCES LIST-ID X-GITHUB-REASON)]';

interface Bench {
  server: DovecotServer;
  raw: RawImap;
  dir: string;
}

function session(bench: Bench, cache: MailCache, fillChunk?: number): AccountSession {
  return new AccountSession({ id: 'b', name: 'Bench', host: '127.0.0.1', port: bench.server.port, security: 'none', user: 'alice' }, 'secret', {
    log: silentLog,
    pollInterval: 600,
    cache,
    fillChunk,
  });
}

/** Lets the work a result starts behind it (counts, previews, the watcher) finish before the next round. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

const openCache = (bench: Bench, name: string) => new MailCache(path.join(bench.dir, name), { log: silentLog, maxBodyBytes: 0 });

/** Opens `folder` and resolves once its mirror is whole. */
async function mirrorWhole(s: AccountSession, folder: string): Promise<void> {
  const whole = new Promise<void>((resolve) => {
    const sub = s.onDidProgress((p: MirrorProgress) => {
      if (p.path === folder && p.whole) {
        sub.dispose();
        resolve();
      }
    });
  });
  await s.openFolder(folder);
  await whole;
}

async function main(): Promise<void> {
  const server = await startDovecot();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-bench-'));
  try {
    for (const folder of ['Big', 'Small', 'Other', 'Live', 'Elsewhere']) await server.createFolder('alice', folder);
    await server.deliver('alice', 'Live', 'Subject: flagged and unflagged\r\n\r\nbody\r\n');
    const filled = await time(async () => {
      fillMaildir(server, 'Big', MESSAGES);
      fillMaildir(server, 'Small', SMALL);
    });
    const raw = await RawImap.open(server.port);
    // Let Dovecot index the folders once, outside any measurement.
    const indexed = await time(async () => {
      await raw.run('SELECT Big');
      await raw.run('SELECT Small');
    });
    await raw.run('SELECT Other');
    console.log(`folders of ${MESSAGES} and ${SMALL} messages written in ${filled.toFixed(0)} ms, indexed by Dovecot in ${indexed.toFixed(0)} ms\n`);
    const bench: Bench = { server, raw, dir };
    const phase = (name: string) => process.env.MAILROOM_BENCH_VERBOSE && console.error(`[bench] ${name}`);
    const figures: Figure[] = [];

    phase('cold open');
    // Cold open: the mirror knows nothing of the folder; the newest page comes from the server.
    const coldCache = openCache(bench, 'cold.sqlite');
    const cold = session(bench, coldCache, 0);
    await cold.connect();
    await cold.openFolder('Other');
    for (const [folder, count] of [['Small', SMALL], ['Big', MESSAGES]] as const) {
      figures.push(
        await compare(
          `cold open, newest 50 (${count})`,
          async () => {
            await raw.run(`SELECT ${folder}`);
            await raw.run(`FETCH ${count - 49}:* (${PAGE_ITEMS})`);
          },
          () => cold.openFolder(folder),
          {
            // Untimed, both leave the folder (another is selected), so that each round selects it
            // again; the mirror forgets it, so that each round opens it cold.
            rawSettle: () => raw.run('SELECT Other'),
            settle: async () => {
              await settle();
              cold.closeFolder(folder);
              coldCache.removeFolders([folder]);
              await cold.catchUpFolder('Other');
            },
            // The first rounds of a process run code not yet compiled; the figure is the steady cost.
            warmup: 60,
            // A few ms each, on a noisy machine: more rounds for a steady median.
            runs: 3 * RUNS,
          },
        ),
      );
    }
    cold.dispose();
    coldCache.close();

    phase('full mirror');
    // The full mirror, from nothing to whole, against one raw UID FETCH of the same items. Dovecot's
    // own cache of the folder is warmed first by one untimed raw fetch (cold, it is about twice as
    // slow), then raw and Mailroom take turns, round after round.
    let mirrorCache = openCache(bench, 'mirror.sqlite');
    let warm = session(bench, mirrorCache);
    await warm.connect();
    const heapBefore = heapInUse();
    const mirrorRounds = process.env.MAILROOM_BENCH_ONLY === 'triage' ? [] : ([['Small', RUNS], ['Big', MIRROR_RUNS]] as const);
    for (const [folder, rounds] of mirrorRounds) {
      const figure: Figure = { name: `full mirror (${folder === 'Big' ? MESSAGES : SMALL})`, raw: [], ours: [] };
      const rawMirror = async () => {
        await raw.run(`SELECT ${folder}`);
        await raw.run(`UID FETCH 1:* (${PAGE_ITEMS})`);
        await raw.run('SELECT Other');
      };
      await rawMirror();
      for (let i = 0; i < rounds; i++) {
        figure.raw.push(await time(rawMirror));
        warm.closeFolder(folder);
        mirrorCache.removeFolders([folder]);
        const cpu = process.cpuUsage();
        figure.ours.push(await time(() => mirrorWhole(warm, folder)));
        // `MAILROOM_BENCH_CPU=1`: this process's CPU time beside the wall time (equal: bound by our CPU, not the server).
        if (process.env.MAILROOM_BENCH_CPU) {
          const used = process.cpuUsage(cpu);
          console.error(`[cpu] ${folder}: ${figure.ours.at(-1)!.toFixed(0)} ms, CPU ${((used.user + used.system) / 1000).toFixed(0)} ms`);
        }
        await settle();
      }
      figures.push(figure);
    }
    const heapAfter = heapInUse();
    phase('triage');
    if (!process.env.MAILROOM_BENCH_ONLY || process.env.MAILROOM_BENCH_ONLY === 'triage') figures.push(await benchTriage(server, warm, mirrorCache));
    // `MAILROOM_BENCH_ONLY=mirror` (or `triage`): those figures alone (for a CPU profile, `--cpu-prof`).
    if (process.env.MAILROOM_BENCH_ONLY) {
      printFigures(figures);
      warm.dispose();
      mirrorCache.close();
      return;
    }

    phase('warm open');
    // Warm open: the folder is whole in the mirror; opening reads the store only.
    const warmOpen: Record<string, number[]> = { Small: [], Big: [] };
    for (let i = 0; i < WARMUP + RUNS; i++) {
      for (const folder of ['Small', 'Big']) {
        warm.closeFolder(folder);
        const ms = await time(() => warm.openFolder(folder));
        if (i >= WARMUP) warmOpen[folder].push(ms);
        await settle();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));

    phase('load older');
    // Load older: from the mirror, against a raw FETCH of the page.
    const modseqNow = await highestModseq(raw, 'Big');
    await raw.run('SELECT Big');
    let rawOlder = MESSAGES - 50;
    figures.push(
      await compare(
        'load 50 older (from the mirror)',
        async () => {
          await raw.run(`FETCH ${rawOlder - 49}:${rawOlder} (${PAGE_ITEMS})`);
          rawOlder -= 50;
        },
        () => warm.loadOlder('Big'),
        { settle },
      ),
    );
    figures.push(
      await compare(
        'catch up an open folder (no change)',
        async () => {
          await raw.run('NOOP');
          await raw.run(`UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE ${modseqNow} VANISHED)`);
        },
        () => warm.catchUpFolder('Big'),
        { settle },
      ),
    );
    warm.dispose();

    phase('warm restart');
    // Warm restart: the session is gone, as after a reload of VS Code; a new process opens the mirror
    // file anew, with nothing of it in memory. The first page comes from the file before connecting.
    warm.dispose();
    mirrorCache.close();
    const reopened = await time(async () => {
      mirrorCache = openCache(bench, 'mirror.sqlite');
    });
    warm = session(bench, mirrorCache);
    const firstPage = await time(() => warm.openFolder('Big'));
    warm.dispose();
    mirrorCache.close();
    const uidValidity = (await highestModseqAndValidity(raw, 'Big')).uidValidity;
    /** A new session on the mirror file connects (untimed); timed: the folder opened from the mirror and caught up. */
    const restartAndCatchUp = async (): Promise<number> => {
      mirrorCache = openCache(bench, 'mirror.sqlite');
      warm = session(bench, mirrorCache);
      await warm.connect();
      return time(async () => {
        await warm.openFolder('Big');
        await warm.catchUpFolder('Big');
      });
    };
    const markerOf = () => {
      const cache = openCache(bench, 'mirror.sqlite');
      const folder = cache.folder('Big')!;
      cache.close();
      return folder;
    };

    /**
     * The sync after a restart, with the session gone while `meanwhile` happened: a new session on
     * the same file connects (untimed), then opens the folder from the mirror and catches it up,
     * SELECT included (the command connection has INBOX selected after connecting), against a raw
     * QRESYNC SELECT (RFC 7162 3.2.5) from the same marker, on a raw connection that has another
     * folder selected. Interleaved, round after round.
     */
    const restarted = async (name: string, rounds: number, meanwhile: (round: number) => Promise<void>): Promise<Figure> => {
      const figure: Figure = { name, raw: [], ours: [] };
      for (let round = 0; round < rounds; round++) {
        // Closed, the mirror is only its file: the marker is read from it.
        const marker = markerOf();
        await meanwhile(round);
        await raw.run('SELECT Other');
        figure.raw.push(await time(() => raw.run(`SELECT Big (QRESYNC (${uidValidity} ${marker.highestModseq}))`)));
        await raw.run('SELECT Other');
        figure.ours.push(await restartAndCatchUp());
        await settle();
        warm.dispose();
        mirrorCache.close();
      }
      return figure;
    };
    figures.push(await restarted(`warm restart, no change (${MESSAGES}): sync, SELECT included`, RUNS, async () => undefined));

    phase('changes elsewhere');
    // 1,000 flag changes and 1,000 expunges made elsewhere while the session was gone.
    figures.push(
      await restarted(`after 1,000 flag changes and 1,000 expunges made while the session was gone (${MESSAGES})`, 5, async (round) => {
        const base = 10_000 + round * 5_000;
        await raw.run('SELECT Big');
        await raw.run(`UID STORE ${base + 1}:${base + 1000} +FLAGS.SILENT (\\Flagged)`);
        await raw.run(`UID STORE ${base + 2001}:${base + 3000} +FLAGS.SILENT (\\Deleted)`);
        await raw.run(`UID EXPUNGE ${base + 2001}:${base + 3000}`);
      }),
    );

    phase('backlog');
    // A backlog that arrived while the session was gone: one UID range, not a comma list.
    mirrorCache = openCache(bench, 'mirror.sqlite');
    const before = mirrorCache.counts('Big').messages;
    const highest = mirrorCache.highestUid('Big')!;
    mirrorCache.close();
    fillMaildir(server, 'Big', BACKLOG, MESSAGES + 1);
    await raw.run('SELECT Big');
    await raw.run('SELECT Other');
    const backlog: Figure = { name: `backlog of ${BACKLOG} new messages, arrived while the session was gone`, raw: [], ours: [] };
    backlog.raw.push(await time(async () => {
      await raw.run('SELECT Big');
      await raw.run(`UID FETCH ${highest + 1}:* (${PAGE_ITEMS})`);
    }));
    await raw.run('SELECT Other');
    backlog.ours.push(await restartAndCatchUp());
    figures.push(backlog);
    const stored = mirrorCache.counts('Big').messages - before;

    printFigures(figures);
    console.log('');
    const [small, big] = [median(warmOpen.Small), median(warmOpen.Big)];
    console.log(`warm open from the mirror, newest 50: ${SMALL} ${spread(warmOpen.Small)} ms, ${MESSAGES} ${spread(warmOpen.Big)} ms; ${MESSAGES} against ${SMALL}: ${(big / small).toFixed(2)}x (flat is 1x)`);
    console.log(`warm restart, first page from the mirror before connecting: ${firstPage.toFixed(1)} ms, after opening the mirror file in ${reopened.toFixed(1)} ms`);
    console.log(`backlog: ${stored} of ${BACKLOG} new messages stored by one catch-up`);
    const mirrored = MESSAGES + SMALL;
    console.log(
      `heap of the extension host per mirrored message: ${(((heapAfter.heap - heapBefore.heap) * 1024 * 1024) / mirrored).toFixed(0)} bytes ` +
        `(JS heap ${heapBefore.heap.toFixed(1)} → ${heapAfter.heap.toFixed(1)} MiB; SQLite's WebAssembly memory ${heapAfter.wasm.toFixed(1)} MiB)`,
    );
    phase('latency');
    await benchLatency(server.port, warm, { open: 'Live', other: 'Elsewhere' });
    warm.dispose();
    mirrorCache.close();
    // Measured closed: the write-ahead log is folded into the file when the last connection closes.
    const counted = openCache(bench, 'mirror.sqlite');
    const inFile = counted.counts('Big').messages + counted.counts('Small').messages;
    counted.close();
    const onDisk = fs.statSync(path.join(dir, 'mirror.sqlite')).size;
    console.log(`mirror file, closed: ${(onDisk / inFile).toFixed(0)} bytes per message on disk (${inFile} messages, ${(onDisk / 1024 / 1024).toFixed(1)} MiB)`);
    await benchMirrorStore(MESSAGES);
    raw.close();
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** JS heap after a full collection where `--expose-gc` allows, and the memory outside it (WebAssembly). */
function heapInUse(): { heap: number; wasm: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed / 1024 / 1024, wasm: usage.arrayBuffers / 1024 / 1024 };
}

async function highestModseqAndValidity(raw: RawImap, folder: string): Promise<{ highestModseq: string; uidValidity: string }> {
  const answer = await raw.run(`STATUS ${folder} (HIGHESTMODSEQ UIDVALIDITY)`);
  return { highestModseq: /HIGHESTMODSEQ (\d+)/.exec(answer)?.[1] ?? '1', uidValidity: /UIDVALIDITY (\d+)/.exec(answer)?.[1] ?? '1' };
}

async function highestModseq(raw: RawImap, folder: string): Promise<string> {
  const answer = await raw.run(`STATUS ${folder} (HIGHESTMODSEQ)`);
  return /HIGHESTMODSEQ (\d+)/.exec(answer)?.[1] ?? '1';
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
