/**
 * Entry point that a VS Code extension host (desktop through @vscode/test-electron, or code-server)
 * loads as `extensionTestsPath`. Runs the mocha suite here and, when asked through
 * MAILROOM_TEST_RESULTS, writes the results where the driver outside can read them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { writeSuiteResults, type TestResult } from '../results';


export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  const results: TestResult[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      writeSuiteResults({
        passed: results.filter((r) => r.state === 'passed').length,
        failed: results.filter((r) => r.state === 'failed').length,
        tests: results,
      });
      if (failures > 0) {
        reject(new Error(`${failures} extension test(s) failed`));
      } else {
        resolve();
      }
    });
    runner.on('pass', (test) => results.push({ title: test.fullTitle(), state: 'passed' }));
    runner.on('fail', (test, err: Error) => results.push({ title: test.fullTitle(), state: 'failed', error: `${err.message}\n${err.stack ?? ''}` }));
  });
}
