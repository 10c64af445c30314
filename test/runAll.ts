/**
 * `npm test`: runs every suite, each in a child process with a time limit, and ends with one line
 * `N passed, N failed` summing them all (CI reads that line). A suite that crashes or times out
 * before reporting counts as one failure, so a broken suite can never look green.
 *
 *   unit    plain-Node tests that need no server (also the mutation run's) → test-results/unit.json
 *   core    plain-Node mocha tests of src/core against real Dovecot and Cyrus, in two shards at once
 *           → test-results/core-1.json, core-2.json
 *   soak    a busy mailbox while links drop and the server restarts            → test-results/soak.json
 *   vscode  the extension suite inside code-server's extension host     → test-results/vscode.json
 *   ui      the workbench driven by Chromium (screenshots)              → test-results/ui.json
 *
 * Run one: `node out/test/runAll.js core ui` (names as above).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..');
const resultsDir = path.join(repoRoot, 'test-results');
const mocha = path.join(repoRoot, 'node_modules', 'mocha', 'bin', 'mocha.js');
const reporter = path.join(repoRoot, 'out', 'test', 'support', 'specJsonReporter.js');

interface Suite {
  name: string;
  args: string[];
  /** Parts run at the same time (each a child of its own), counted as this suite; `args` unused then. */
  shards?: Suite[];
  /** Where the suite leaves its results; deleted before the run so stale files never count. */
  resultsFile: string;
  timeoutMs: number;
  count(results: unknown): Counts;
}

interface Counts {
  passed: number;
  failed: number;
}

/** Mocha's json reporter: `stats.passes` and `stats.failures` (failed hooks count as failures). */
const mochaCounts = (r: unknown): Counts => {
  const stats = (r as { stats: { passes: number; failures: number } }).stats;
  return { passed: stats.passes, failed: stats.failures };
};

/** Our own format (test/vscode/results.ts): `{ suite, passed, failed, tests }`. */
const summaryCounts = (r: unknown): Counts => {
  const { passed, failed } = r as Counts;
  if (typeof passed !== 'number' || typeof failed !== 'number') throw new Error('no passed/failed counts');
  return { passed, failed };
};

function mochaSuite(name: string, spec: string | string[], testTimeoutMs: number, timeoutMs: number): Suite {
  const resultsFile = path.join(resultsDir, `${name}.json`);
  return {
    name,
    // --exit: a leaked socket must not hold the suite open until the runner's time limit.
    args: [mocha, '--exit', '--timeout', String(testTimeoutMs), '--reporter', reporter,
      '--reporter-option', `output=${resultsFile}`, ...(Array.isArray(spec) ? spec : [spec])],
    resultsFile,
    timeoutMs,
    count: mochaCounts,
  };
}

/**
 * The core suite's files in `count` shards run at the same time: its tests mostly wait (for servers,
 * for quiet spells, for deadlines), and one process took over 7 minutes. Every test starts its own
 * server on a free port and a folder of its own, so shards share nothing.
 */
function shardedCore(count: number): Suite {
  const dir = path.join(repoRoot, 'out', 'test', 'core');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort() : [];
  const shards = Array.from({ length: count }, (_, i) =>
    mochaSuite(`core-${i + 1}`, files.filter((_, j) => j % count === i).map((f) => `out/test/core/${f}`), 20_000, 8 * 60_000),
  );
  return { ...mochaSuite('core', 'out/test/core/**/*.test.js', 20_000, 8 * 60_000), shards };
}

const suites: Suite[] = [
  mochaSuite('unit', 'out/test/unit/**/*.test.js', 10_000, 2 * 60_000),
  shardedCore(2),
  // One long test; its own limit is inside (MAILROOM_SOAK_SECONDS).
  mochaSuite('soak', 'out/test/soak/*.test.js', 5 * 60_000, 6 * 60_000),
  {
    name: 'vscode',
    resultsFile: path.join(resultsDir, 'vscode.json'),
    // The driver gives the suite 4 minutes; this limit only catches a hung driver.
    args: [path.join(repoRoot, 'out', 'test', 'vscode', 'runInCodeServer.js'), '--timeout', String(4 * 60_000)],
    timeoutMs: 5 * 60_000,
    count: summaryCounts,
  },
  mochaSuite('ui', 'out/test/ui/*.test.js', 180_000, 4 * 60_000),
];

/**
 * Runs a child in its own process group so a timeout can end it with everything it started. With
 * `quiet`, its output is kept and printed whole once it ends (shards running at once would mix it).
 */
function runChild(suite: Suite, quiet = false): Promise<{ code: number | null; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, suite.args, { cwd: repoRoot, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', detached: true });
    const output: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
    let timedOut = false;
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`${suite.name}: timed out after ${suite.timeoutMs / 1000} s, stopping it`);
      kill('SIGTERM'); // Lets runInCodeServer stop code-server and Chromium itself.
      setTimeout(() => kill('SIGKILL'), 10_000).unref();
    }, suite.timeoutMs);
    // Ctrl-C on runAll reaches only our process group: pass it on to the suite's.
    const forward = () => kill('SIGTERM');
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('close', (code) => {
      if (quiet) process.stdout.write(`--- ${suite.name} ---\n${Buffer.concat(output).toString()}`);
      clearTimeout(timer);
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve({ code, timedOut });
    });
  });
}

async function runSuite(suite: Suite): Promise<Counts> {
  console.log(`\n=== ${suite.name} ===`);
  const started = Date.now();
  let counts: Counts;
  if (suite.shards) {
    const parts = await Promise.all(suite.shards.map((shard) => runPart(shard, true)));
    counts = parts.reduce((a, c) => ({ passed: a.passed + c.passed, failed: a.failed + c.failed }), { passed: 0, failed: 0 });
  } else {
    counts = await runPart(suite, false);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${suite.name}: ${counts.passed} passed, ${counts.failed} failed (${seconds} s)`);
  return counts;
}

/** One child: its counts from its results file, a crash or a time-out counting as one failure. */
async function runPart(suite: Suite, quiet: boolean): Promise<Counts> {
  fs.rmSync(suite.resultsFile, { force: true });
  const { code, timedOut } = await runChild(suite, quiet);
  let counts: Counts;
  try {
    counts = suite.count(JSON.parse(fs.readFileSync(suite.resultsFile, 'utf8')));
  } catch (error) {
    console.error(`${suite.name}: no results (${(error as Error).message}); counting the suite as 1 failed`);
    counts = { passed: 0, failed: 1 };
  }
  if (counts.failed === 0 && (code !== 0 || timedOut)) {
    console.error(`${suite.name}: reported no failure but exited with code ${code}; counting 1 failed`);
    counts = { passed: counts.passed, failed: 1 };
  }
  if (suite.shards === undefined && quiet) console.log(`${suite.name}: ${counts.passed} passed, ${counts.failed} failed`);
  return counts;
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !suites.some((s) => s.name === name));
  if (unknown.length) throw new Error(`unknown suite(s) ${unknown.join(', ')}; known: ${suites.map((s) => s.name).join(', ')}`);
  fs.mkdirSync(resultsDir, { recursive: true });

  // Interrupted: finish the running suite's cleanup, skip the rest, still print the summary.
  let interrupted = false;
  const interrupt = () => (interrupted = true);
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);

  const perSuite: Record<string, Counts> = {};
  for (const suite of suites.filter((s) => !wanted.length || wanted.includes(s.name))) {
    if (interrupted) break;
    perSuite[suite.name] = await runSuite(suite);
  }
  if (interrupted) perSuite.interrupted = { passed: 0, failed: 1 };
  const total = Object.values(perSuite).reduce((a, c) => ({ passed: a.passed + c.passed, failed: a.failed + c.failed }), {
    passed: 0,
    failed: 0,
  });
  fs.writeFileSync(path.join(resultsDir, 'summary.json'), JSON.stringify({ ...total, suites: perSuite }, null, 2));
  console.log('');
  for (const [name, c] of Object.entries(perSuite)) console.log(`  ${name.padEnd(7)} ${c.passed} passed, ${c.failed} failed`);
  // The last line, read by .ci/run and CI: keep it exactly this shape.
  console.log(`${total.passed} passed, ${total.failed} failed`);
  return total.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
