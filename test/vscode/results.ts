/**
 * The contract between the extension test suite (running inside VS Code's extension host) and the
 * driver outside it (runInCodeServer.ts). The host cannot report back through stdout or an exit
 * code in code-server, so the suite writes this JSON file when it has finished.
 *
 * The suite writes to `process.env.MAILROOM_TEST_RESULTS` (when set) once all tests ran, failed or
 * not; `writeSuiteResults` writes to a temporary name and renames, so the driver never reads half a file.
 */
import * as fs from 'node:fs';

export const resultsEnvVar = 'MAILROOM_TEST_RESULTS';

export interface TestResult {
  /** Full title, e.g. "Folder tree shows special-use folders". */
  title: string;
  state: 'passed' | 'failed';
  /** Message and stack of the failure. */
  error?: string;
}

export interface SuiteResults {
  passed: number;
  failed: number;
  tests: TestResult[];
}

/** For the suite: writes the results where the driver waits for them (no-op when not driven). */
export function writeSuiteResults(results: SuiteResults, file = process.env[resultsEnvVar]): void {
  if (!file) return;
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(results, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

/** For the driver: the results, or undefined while the file is absent or not valid yet. */
export function readSuiteResults(file: string): SuiteResults | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const r = parsed as Partial<SuiteResults>;
  if (typeof r.passed !== 'number' || typeof r.failed !== 'number' || !Array.isArray(r.tests)) {
    throw new Error(`${file} does not hold { passed, failed, tests }: ${JSON.stringify(parsed).slice(0, 200)}`);
  }
  return r as SuiteResults;
}
