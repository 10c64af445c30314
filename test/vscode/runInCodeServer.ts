/**
 * Runs the extension test suite (out/test/vscode/suite/index.js) inside a real VS Code extension
 * host: code-server 1.100.3 driven by headless Chromium. Desktop VS Code cannot be downloaded on
 * our machines; runDesktop.ts does the same with @vscode/test-electron where it can.
 *
 * The suite cannot report through an exit code here, so it writes the results file described in
 * results.ts, whose path it finds in MAILROOM_TEST_RESULTS (the extension host inherits
 * code-server's environment). This driver waits for that file, prints it and writes
 * test-results/vscode.json for runAll.
 *
 * Usage: node out/test/vscode/runInCodeServer.js [--suite <compiled suite index>] [--timeout <ms>]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newWorkbenchPage } from '../support/browser';
import { CodeServer, repoRoot, startCodeServer, workbenchUrl } from '../support/codeServer';
import { readSuiteResults, resultsEnvVar, SuiteResults } from './results';

const resultsDir = path.join(repoRoot, 'test-results');

interface Options {
  suite: string;
  timeoutMs: number;
}

function parseArgs(argv: string[]): Options {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    suite: path.resolve(value('--suite') ?? path.join(repoRoot, 'out', 'test', 'vscode', 'suite', 'index')).replace(/\.js$/, ''),
    timeoutMs: Number(value('--timeout') ?? 5 * 60_000),
  };
}

/** How code-server logs the end of an extension host; run() finishing ends it, whether it passed or threw. */
const extensionHostExit = /Extension Host Process exited with code: (\d+)/;

async function waitForResults(file: string, page: Page, server: CodeServer, timeoutMs: number): Promise<SuiteResults> {
  let crashed = false;
  page.on('crash', () => (crashed = true));
  const deadline = Date.now() + timeoutMs;
  let hostExitedAt: number | undefined;
  for (;;) {
    const results = readSuiteResults(file);
    if (results) return results;
    if (crashed) throw new Error('the workbench page crashed before the suite reported');
    // A suite that throws while loading ends the host with code 0 and no results: fail in
    // seconds instead of waiting for the timeout. The grace covers a file written just before exit.
    if (hostExitedAt === undefined && extensionHostExit.test(readText(server.logPath))) hostExitedAt = Date.now();
    if (hostExitedAt !== undefined && Date.now() - hostExitedAt > 3_000) {
      throw new Error('the extension host exited without writing results: the suite threw or never called ' +
        'writeSuiteResults (see test-results/vscode-console.log)');
    }
    if (Date.now() > deadline) {
      throw new Error(`no results in ${file} after ${timeoutMs / 1000} s: the suite did not finish ` +
        '(see test-results/vscode-console.log and vscode-timeout.png)');
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function report(results: SuiteResults): void {
  for (const test of results.tests) {
    console.log(`  ${test.state === 'passed' ? '✔' : '✘'} ${test.title}`);
    if (test.error) console.log(test.error.replace(/^/gm, '      '));
  }
  console.log(`vscode: ${results.passed} passed, ${results.failed} failed`);
}

/** On failure, keep what explains it next to the results (the tmp folder is deleted). */
function keepLogs(userDataDir: string, server: CodeServer | undefined): void {
  const copy = (from: string, name: string) => fs.copyFileSync(from, path.join(resultsDir, name));
  if (server && fs.existsSync(server.logPath)) copy(server.logPath, 'vscode-code-server.log');
  const logs = path.join(userDataDir, 'logs');
  if (!fs.existsSync(logs)) return;
  for (const file of fs.readdirSync(logs, { recursive: true }) as string[]) {
    if (path.basename(file) === 'remoteexthost.log') copy(path.join(logs, file), 'vscode-exthost.log');
  }
}

/**
 * The extension host's console (the suite's console.log and uncaught errors) is forwarded to the
 * workbench's browser console, so that is where a failing suite explains itself.
 */
function recordConsole(page: Page): void {
  const file = path.join(resultsDir, 'vscode-console.log');
  fs.writeFileSync(file, '');
  page.on('console', (message) => {
    if (message.type() === 'debug') return;
    // Strip the %c colour directives the workbench logger adds.
    const text = message.text().replace(/%c\s*/g, '').replace(/color: #[0-9a-f]{3,6}\s*/gi, '');
    fs.appendFileSync(file, `[${message.type()}] ${text}\n`);
  });
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  fs.mkdirSync(resultsDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-vscode-'));
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(workspace);
  const resultsFile = path.join(tmp, 'results.json');
  const userDataDir = path.join(tmp, 'user-data');

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const cleanup = async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  // Ctrl-C or a runner's timeout must not leave code-server and Chromium behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  }

  let summary: SuiteResults;
  try {
    if (!fs.existsSync(`${options.suite}.js`)) {
      throw new Error(`no compiled suite at ${options.suite}.js: run \`npm run compile-tests\` first`);
    }
    server = await startCodeServer({
      workspace,
      userDataDir,
      extensionsDir: path.join(tmp, 'extensions'),
      env: { [resultsEnvVar]: resultsFile },
    });
    browser = await launchBrowser();
    const page = await newWorkbenchPage(browser);
    recordConsole(page);
    console.log(`vscode: running ${options.suite} in code-server ${server.url}`);
    // The suite path without .js, as VS Code's own --extensionTestsPath takes it.
    await page.goto(workbenchUrl(server, workspace, { extensionDevelopmentPath: repoRoot, extensionTestsPath: options.suite }));
    try {
      summary = await waitForResults(resultsFile, page, server, options.timeoutMs);
    } catch (error) {
      await page.screenshot({ path: path.join(resultsDir, 'vscode-timeout.png') }).catch(() => undefined);
      throw error;
    }
    report(summary);
  } catch (error) {
    console.error(`vscode: ${(error as Error).message}`);
    // A suite that never reported counts as one failure, so the total cannot look green.
    summary = { passed: 0, failed: 1, tests: [{ title: 'vscode suite', state: 'failed', error: String(error) }] };
  }
  try {
    if (summary.failed > 0) keepLogs(userDataDir, server);
  } finally {
    await cleanup();
  }
  fs.writeFileSync(path.join(resultsDir, 'vscode.json'), JSON.stringify({ suite: 'vscode', ...summary }, null, 2));
  return summary.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
