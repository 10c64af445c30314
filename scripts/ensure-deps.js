#!/usr/bin/env node
/**
 * Makes `npm test` and `npm run demo` enough on a fresh clone: installs the npm dependencies with
 * `npm ci` when node_modules is missing or no longer matches package-lock.json, before anything
 * that needs them runs. Plain Node with no dependencies of its own, so it runs before any exist.
 *
 * "Matches" is judged the way npm itself records an install: node_modules/.package-lock.json lists
 * what is installed; every package the lockfile wants on this platform must be there in the same version.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Why node_modules needs an install, or undefined when it matches the lockfile. */
function staleness() {
  const wanted = readJson(path.join(root, 'package-lock.json'));
  if (!wanted || !wanted.packages) return 'package-lock.json is missing or unreadable';
  if (!fs.existsSync(path.join(root, 'node_modules'))) return 'node_modules is missing';
  const installed = readJson(path.join(root, 'node_modules', '.package-lock.json'));
  if (!installed || !installed.packages) return 'node_modules has no record of an install';
  for (const [where, pkg] of Object.entries(wanted.packages)) {
    // The root entry is the project itself; optional packages are for other platforms (esbuild's binaries).
    if (!where || pkg.optional || pkg.link) continue;
    const have = installed.packages[where];
    if (!have) return `${where.replace(/^node_modules\//, '')} is not installed`;
    if (have.version !== pkg.version) return `${where.replace(/^node_modules\//, '')} is ${have.version}, the lockfile wants ${pkg.version}`;
  }
  return undefined;
}

const reason = staleness();
if (reason) {
  console.log(`ensure-deps: ${reason}; running npm ci`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('ensure-deps: npm ci failed; see above');
    process.exit(result.status ?? 1);
  }
}
