/**
 * Starts code-server 4.100.3 (VS Code 1.100.3) from `.cache/code-server`, installed by
 * scripts/install-test-deps.sh. It is a real VS Code whose Node extension host runs the extension
 * as the desktop does; Chromium drives its web workbench. Desktop VS Code cannot be downloaded here.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { freePort } from './net';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const codeServerBin = path.join(repoRoot, '.cache', 'code-server', 'node_modules', '.bin', 'code-server');

export interface CodeServerOptions {
  /** Folder the workbench opens. */
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  /** Extra environment; the extension host inherits it (that is how tests pass it paths). */
  env?: Record<string, string>;
  /** User settings, merged over the defaults that keep the workbench quiet. */
  settings?: Record<string, unknown>;
  /** Where code-server's output goes; defaults to `<userDataDir>/code-server.log`. */
  logPath?: string;
  /** A fixed port (the demo's); by default a free one. */
  port?: number;
}

export interface CodeServer {
  url: string;
  port: number;
  logPath: string;
  stop(): Promise<void>;
}

/** No welcome page, no trust prompt, nothing sent anywhere: the workbench shows only what we open. */
const quietSettings = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'workbench.tips.enabled': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  // The extension gallery (open-vsx.org) is unreachable from test machines: no failing queries.
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
};

/** Process groups still running, killed synchronously if this process exits. */
const running = new Set<number>();
process.on('exit', () => running.forEach((pid) => killGroup(pid, 'SIGKILL')));

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  if (!fs.existsSync(codeServerBin)) {
    throw new Error(`code-server is not installed at ${codeServerBin}: run \`bash scripts/install-test-deps.sh\``);
  }
  writeUserSettings(opts.userDataDir, { ...quietSettings, ...opts.settings });
  fs.mkdirSync(opts.extensionsDir, { recursive: true });
  const logPath = opts.logPath ?? path.join(opts.userDataDir, 'code-server.log');
  fs.mkdirSync(path.dirname(logPath), { recursive: true });

  // Another process may take the free port before code-server binds it; then it exits and we retry.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const child = launch(port, opts, logPath);
    const failure = await whenReady(child, port);
    if (!failure) {
      running.add(child.pid!);
      return { url: `http://127.0.0.1:${port}`, port, logPath, stop: () => stop(child) };
    }
    killGroup(child.pid!, 'SIGKILL');
    const log = tail(logPath);
    if (attempt < 3 && /EADDRINUSE/.test(log)) continue;
    throw new Error(`code-server did not start: ${failure}\n${log}`);
  }
}

/**
 * The workbench URL that opens `folder` with an extension under development, and optionally runs
 * a test suite, as `code --extensionDevelopmentPath --extensionTestsPath` would on a desktop.
 */
export function workbenchUrl(
  server: CodeServer,
  folder: string,
  paths: { extensionDevelopmentPath: string; extensionTestsPath?: string },
): string {
  // The server resolves the paths, so they are vscode-remote URIs naming this host and port.
  const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [['extensionDevelopmentPath', remote(paths.extensionDevelopmentPath)]];
  if (paths.extensionTestsPath) payload.push(['extensionTestsPath', remote(paths.extensionTestsPath)]);
  return `${server.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

function launch(port: number, opts: CodeServerOptions, logPath: string): ChildProcess {
  const log = fs.openSync(logPath, 'a');
  const configPath = path.join(opts.userDataDir, 'code-server.yaml');
  // Our own config file: otherwise code-server writes a default one, with a password, into ~/.config.
  fs.writeFileSync(configPath, 'auth: none\n');
  const args = [
    '--config', configPath,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', opts.userDataDir,
    '--extensions-dir', opts.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    opts.workspace,
  ];
  const child = spawn(codeServerBin, args, {
    cwd: opts.workspace,
    env: { ...inheritedEnv(), ...opts.env },
    stdio: ['ignore', log, log],
    // Its own process group, so stop() also reaches the server's children: the extension host.
    detached: true,
  });
  fs.closeSync(log);
  return child;
}

/**
 * Our environment minus what would make code-server think it runs inside another VS Code
 * (as when tests are started from a VS Code terminal).
 */
function inheritedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') delete env[key];
  }
  return env;
}

/** Polls /healthz until it answers; resolves with why not if the server exits or takes too long. */
async function whenReady(child: ChildProcess, port: number, timeoutMs = 60_000): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) return `exited (${child.signalCode ?? child.exitCode})`;
    if (await isHealthy(port)) return undefined;
    if (Date.now() > deadline) return `no answer on 127.0.0.1:${port} after ${timeoutMs} ms`;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  const userDir = path.join(userDataDir, 'User');
  fs.mkdirSync(userDir, { recursive: true });
  fs.writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify(settings, null, 2));
}

function isHealthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => request.destroy());
  });
}

async function stop(child: ChildProcess): Promise<void> {
  const pid = child.pid!;
  if (!running.delete(pid)) return;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    killGroup(pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
  }
  // The server may exit before its extension host does; SIGKILL whatever is left of the group.
  killGroup(pid, 'SIGKILL');
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Group already gone.
  }
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}
