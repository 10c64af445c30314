/**
 * Runs the extension test suite in desktop VS Code through @vscode/test-electron, for developers'
 * machines and CI runners that can download VS Code. (Ours cannot: there runInCodeServer.ts runs
 * the same suite in code-server.) test-electron reports through VS Code's exit code, so the suite's
 * run() must reject when a test failed; it also writes results.ts's file when MAILROOM_TEST_RESULTS is set.
 */
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  // Compiled to out/test/vscode/runDesktop.js: the repository root is three levels up.
  const extensionDevelopmentPath = path.resolve(__dirname, '..', '..', '..');
  const extensionTestsPath = path.join(__dirname, 'suite', 'index');
  await runTests({
    // The minimum we support (engines.vscode); VSCODE_VERSION=stable tries the newest.
    version: process.env.VSCODE_VERSION ?? '1.100.3',
    extensionDevelopmentPath,
    extensionTestsPath,
    // Other installed extensions would slow the run and could interfere with ours.
    launchArgs: ['--disable-extensions'],
  });
}

main().catch((error) => {
  console.error('vscode-desktop: tests failed or VS Code could not run:', error);
  process.exit(1);
});
