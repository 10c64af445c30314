/**
 * Like index.ts, but runs only the suites named in MAILROOM_VSCODE_ONLY (file names without
 * `.test.js`, comma-separated), for working on one behaviour without the whole five minutes:
 * `MAILROOM_VSCODE_ONLY=mailActions node out/test/vscode/runInCodeServer.js --suite out/test/vscode/suite/only`.
 * The extension host inherits code-server's environment, which is this driver's.
 */
import * as path from 'node:path';
import Mocha from 'mocha';
import { writeSuiteResults, type TestResult } from '../results';

export function run(): Promise<void> {
  const names = (process.env.MAILROOM_VSCODE_ONLY ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  for (const name of names) mocha.addFile(path.join(__dirname, `${name}.test.js`));
  const results: TestResult[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      writeSuiteResults({ passed: results.filter((r) => r.state === 'passed').length, failed: results.filter((r) => r.state === 'failed').length, tests: results });
      if (failures > 0) reject(new Error(`${failures} extension test(s) failed`));
      else resolve();
    });
    runner.on('pass', (test) => results.push({ title: test.fullTitle(), state: 'passed' }));
    runner.on('fail', (test, err: Error) => results.push({ title: test.fullTitle(), state: 'failed', error: `${err.message}\n${err.stack ?? ''}` }));
  });
}
