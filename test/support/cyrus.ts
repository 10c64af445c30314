/**
 * A private Cyrus IMAP 3.6 for tests: its own folder, its own loopback port, its own users.
 *
 * Users run Cyrus (Fastmail does), and it differs from Dovecot where Mailroom cares: folders live
 * under `INBOX.` with `.` as the delimiter, there is no NOTIFY, and without `idled` IDLE reports
 * changes only when it polls (every 60 s, `imapidlepoll`). Debian's package conflicts with
 * dovecot-imapd, so scripts/install-test-deps.sh unpacks it into .cache/cyrus and we run it from
 * there (recipe in ENVIRONMENT.md). The interface follows DovecotServer so tests can use either.
 * Every user has INBOX.Sent, .Drafts, .Trash, .Junk and .Archive, with their RFC 6154 attributes,
 * from the first login (which startCyrus makes), as a Fastmail account has.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImapFlow } from 'imapflow';
import { repoRoot } from './fixtures';
import { freePort, readGreeting, waitFor } from './net';
import { withOtherClient } from './otherClient';

export type CyrusSpecialUse = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive';

export interface CyrusServer {
  host: '127.0.0.1';
  port: number;
  dir: string;
  users: Record<string, string>;
  /** True when idled runs, so IDLE reports changes at once instead of at the next 60 s poll. */
  idled: boolean;
  stop(): Promise<void>;
  /** Stops every process and starts the server again on the same port with the same mail. */
  restart(): Promise<void>;
  /** Ends every open IMAP connection (the server keeps running), like a NAT timeout or a kick. */
  dropConnections(): Promise<void>;
  /** Appends a message through IMAP so live sessions are told about it. */
  deliver(user: string, folder: string, raw: string | Buffer, flags?: string[], internalDate?: Date): Promise<void>;
  /** Creates a folder, e.g. `INBOX.Lists`; with `specialUse` as CREATE-SPECIAL-USE (RFC 6154 3). */
  createFolder(user: string, path: string, specialUse?: CyrusSpecialUse): Promise<void>;
}

export interface CyrusOptions {
  users?: Record<string, string>;
  /** Runs idled, the daemon that wakes IDLE at once; Debian's default setup has none. */
  idled?: boolean;
}

/** Autocreated at each user's first login with these attributes, as Fastmail gives every account. */
const SPECIAL_FOLDERS: Record<CyrusSpecialUse, string> = {
  '\\Sent': 'Sent',
  '\\Drafts': 'Drafts',
  '\\Trash': 'Trash',
  '\\Junk': 'Junk',
  '\\Archive': 'Archive',
};

/** Servers still running in this process, stopped synchronously if the process exits. */
const running = new Set<string>(); // their folders

/** Where scripts/install-test-deps.sh unpacked Cyrus: /opt as root (the dovecot user must reach it), else .cache/cyrus. */
export function cyrusRoot(): string {
  const system = '/opt/mailroom-test/cyrus';
  return fs.existsSync(path.join(system, 'usr', 'lib', 'cyrus', 'bin', 'master')) ? system : path.join(repoRoot(), '.cache', 'cyrus');
}

export async function startCyrus(opts: CyrusOptions = {}): Promise<CyrusServer> {
  const root = cyrusRoot();
  const bin = path.join(root, 'usr', 'lib', 'cyrus', 'bin');
  if (!fs.existsSync(path.join(bin, 'master'))) {
    throw new Error(`Cyrus IMAP is not installed in ${root}: run scripts/install-test-deps.sh (as root) first.`);
  }
  const users = opts.users ?? { alice: 'secret' };
  const idled = opts.idled ?? false;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-cyrus-'));
  const instance: Instance = { dir, bin, env: cyrusEnv(root), port: 0, idled };
  try {
    for (const sub of ['conf', 'conf/socket', 'partition', 'run', 'lock']) fs.mkdirSync(path.join(dir, sub));
    const identity = processIdentity();
    for (const [user, password] of Object.entries(users)) {
      // Passwords go through stdin (-p) so they never show in a process list.
      // The SASL realm is the servername (set below), not this machine's host name.
      execFileSync('saslpasswd2', ['-p', '-c', '-u', serverName(dir), '-f', path.join(dir, 'sasldb2'), user], { input: password, stdio: ['pipe', 'ignore', 'pipe'] });
      // Telemetry: imapd writes each session of a user with a folder here, for debugging failures.
      fs.mkdirSync(path.join(dir, 'conf', 'log', user), { recursive: true });
    }
    startWatchdog(dir);
    // The port we picked may be taken before Cyrus binds it; pick again a few times.
    for (let attempt = 1; ; attempt++) {
      instance.port = await freePort();
      fs.writeFileSync(path.join(dir, 'imapd.conf'), imapdConfig(dir, identity.user));
      fs.writeFileSync(path.join(dir, 'cyrus.conf'), cyrusConfig(instance));
      if (identity.root) execFileSync('chown', ['-R', `${identity.user}`, dir]);
      running.add(dir);
      const failure = await launch(instance);
      if (!failure) break;
      stopSync(dir, false);
      if (attempt < 3 && failure.portTaken) continue;
      throw new Error(`Cyrus did not start on 127.0.0.1:${instance.port}: ${failure.message}\n${diagnose(instance)}`);
    }
    // The first login creates INBOX and the special folders (autocreate_quota); log in now so
    // tests start from a complete account and a wrong setup fails here, not in a test.
    for (const user of Object.keys(users)) {
      await withClient(instance, users, user, async () => undefined).catch((error: Error & { responseText?: string }) => {
        const said = error.responseText ? ` (server: ${error.responseText})` : '';
        throw new Error(`Cyrus started but ${user} cannot log in: ${error.message}${said}\n${diagnose(instance)}`);
      });
    }
    return makeServer(instance, users);
  } catch (error) {
    stopSync(dir, true);
    throw error;
  }
}

interface Instance {
  dir: string;
  bin: string;
  env: NodeJS.ProcessEnv;
  port: number;
  idled: boolean;
}

/** The unpacked libraries come first; everything else (libsasl2, libicu) is the system's. */
function cyrusEnv(root: string): NodeJS.ProcessEnv {
  const libs = [path.join(root, 'usr', 'lib', 'x86_64-linux-gnu'), path.join(root, 'usr', 'lib')];
  return { ...process.env, LD_LIBRARY_PATH: [...libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
}

/**
 * Starts master in its own session (setsid: it leads a process group that stop() can signal as a
 * whole) and waits for a Cyrus greeting on the port. Cyrus logs only to syslog, which this machine
 * does not run, so a failure is explained by diagnose() instead.
 */
async function launch(instance: Instance): Promise<{ message: string; portTaken: boolean } | undefined> {
  const { dir, bin, port } = instance;
  const out = fs.openSync(path.join(dir, 'master.out'), 'a');
  let exited: string | undefined;
  try {
    const master = spawn(
      'setsid',
      [path.join(bin, 'master'), '-C', path.join(dir, 'imapd.conf'), '-M', path.join(dir, 'cyrus.conf'), '-p', path.join(dir, 'master.pid'), '-D'],
      { env: instance.env, stdio: ['ignore', out, out], detached: false },
    );
    master.once('error', (err) => (exited = `could not run master: ${err.message}`));
    master.once('exit', (code, signal) => (exited = `master exited (${signal ?? `code ${code}${code === 78 ? ', EX_CONFIG' : ''}`})`));
    master.unref();
  } finally {
    fs.closeSync(out);
  }
  let greeting = '';
  try {
    await waitFor(`a Cyrus greeting on 127.0.0.1:${port}`, async () => {
      if (exited) throw new Error(exited);
      greeting = await readGreeting(port);
      return greeting.startsWith('* OK');
    }, { timeoutMs: 10_000, intervalMs: 20 });
  } catch (error) {
    return { message: exited ?? (error as Error).message, portTaken: false };
  }
  // Someone else answered (even another test's Cyrus): our master could not bind the port.
  if (!greeting.includes(` ${serverName(dir)} Cyrus IMAP`)) return { message: `another server answers: ${greeting}`, portTaken: true };
  return undefined;
}

function withClient<T>(instance: Instance, users: Record<string, string>, user: string, work: (client: ImapFlow) => Promise<T>): Promise<T> {
  return withOtherClient({ host: '127.0.0.1', port: instance.port, users }, user, work);
}

function makeServer(instance: Instance, users: Record<string, string>): CyrusServer {
  const { dir } = instance;
  const asUser = <T>(user: string, work: (client: ImapFlow) => Promise<T>) => withClient(instance, users, user, work);
  return {
    host: '127.0.0.1',
    port: instance.port,
    dir,
    users,
    idled: instance.idled,
    async stop() {
      if (!running.has(dir)) return;
      running.delete(dir);
      await killInstance(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await killInstance(dir);
      fs.rmSync(path.join(dir, 'master.pid'), { force: true });
      const failure = await launch(instance);
      if (failure) throw new Error(`Cyrus did not start again: ${failure.message}\n${diagnose(instance)}`);
    },
    async dropConnections() {
      const master = masterPid(dir);
      const sessions = master === undefined ? [] : childPids(master).filter((pid) => commandOf(pid).includes('/imapd'));
      for (const pid of sessions) signal(pid, 'SIGKILL');
    },
    deliver: (user, folder, raw, flags = [], internalDate) =>
      asUser(user, async (client) => {
        const result = await client.append(folder, raw, flags, internalDate);
        if (!result) throw new Error(`APPEND to ${user}/${folder} failed`);
      }),
    createFolder: (user, folderPath, specialUse) =>
      asUser(user, async (client) => {
        if (!specialUse) {
          await client.mailboxCreate(folderPath);
          return;
        }
        // Sent as a plain string: a non-ASCII name would need modified UTF-7 (RFC 3501 5.1.3).
        if (!/^[\x20-\x7e]+$/.test(folderPath)) throw new Error(`special-use folder names must be ASCII here: ${folderPath}`);
        // imapflow's mailboxCreate has no CREATE options; RFC 6154 section 3: CREATE name (USE (\Sent)).
        const internals = client as unknown as { exec(command: string, attributes: unknown[]): Promise<{ next(): void }> };
        const response = await internals.exec('CREATE', [
          { type: 'STRING', value: folderPath },
          [{ type: 'ATOM', value: 'USE' }, [{ type: 'ATOM', value: specialUse }]],
        ]);
        response.next();
      }),
  };
}

interface ProcessIdentity {
  root: boolean;
  /** Cyrus runs as this user (`cyrus_user`); as root, master switches to it. */
  user: string;
}

function processIdentity(): ProcessIdentity {
  if (process.getuid?.() === 0) {
    // Debian's cyrus user comes with the package we do not install; dovecot's user exists because
    // the Dovecot tests need it, and has no login shell.
    return { root: true, user: 'dovecot' };
  }
  return { root: false, user: os.userInfo().username };
}

function imapdConfig(dir: string, cyrusUser: string): string {
  const autocreate = Object.values(SPECIAL_FOLDERS);
  return `# Written by test/support/cyrus.ts for one test run.
configdirectory: ${dir}/conf
proc_path: ${dir}/run/proc
mboxname_lockpath: ${dir}/lock
partition-default: ${dir}/partition
defaultpartition: default
# imapd makes its own IDLE socket as {configdirectory}/socket/idle.PID whatever idlesocket says,
# so idled's socket must stay in that folder too (the default) for the two to talk.
lmtpsocket: ${dir}/conf/socket/lmtp
idlesocket: ${dir}/conf/socket/idle
notifysocket: ${dir}/conf/socket/notify
# Fastmail's layout: every folder under INBOX, '.' as the delimiter.
altnamespace: no
unixhierarchysep: no
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: ${dir}/sasldb2
sasl_mech_list: PLAIN LOGIN
admins: cyrus
cyrus_user: ${cyrusUser}
syslog_prefix: mailroom-test
# Named after the folder, so the greeting tells this instance from any other on the port.
servername: ${serverName(dir)}
# INBOX and the special folders appear at a user's first login, with RFC 6154 attributes.
autocreate_quota: 0
autocreate_inbox_folders: ${autocreate.join(' | ')}
autocreate_subscribe_folders: ${autocreate.join(' | ')}
${Object.entries(SPECIAL_FOLDERS).map(([use, name]) => `xlist-${use.slice(1).toLowerCase()}: ${name}`).join('\n')}
specialusealways: yes
# Tests reconnect often; the default 3 s pause after a failed login would slow the credential test.
failedloginpause: 0
`;
}

function serverName(dir: string): string {
  // Lower case: Cyrus lowercases it before using it as the SASL realm.
  return path.basename(dir).toLowerCase();
}

function cyrusConfig(instance: Instance): string {
  const { dir, bin, port } = instance;
  const conf = `${dir}/imapd.conf`;
  return `# Written by test/support/cyrus.ts for one test run.
START {
  recover cmd="${bin}/ctl_cyrusdb -C ${conf} -r"
}
SERVICES {
  imap cmd="${bin}/imapd -C ${conf} -U 30" listen="127.0.0.1:${port}" prefork=0
}
${instance.idled ? `DAEMON {\n  idled cmd="${bin}/idled -C ${conf}"\n}\n` : ''}`;
}

/**
 * What we can learn about a failed start without syslog: master's own output, the config checker,
 * and the database recovery run by hand (both print their fatal errors to stderr), and the tail of
 * any session telemetry.
 */
function diagnose(instance: Instance): string {
  const { dir, bin, env } = instance;
  const run = (tool: string, args: string[]) => {
    const result = spawnSync(path.join(bin, tool), args, { env, encoding: 'utf8', timeout: 5_000 });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    return `${tool} ${args.join(' ')}: ${result.error?.message ?? `exit ${result.status}`}${output ? `\n${output}` : ''}`;
  };
  const sections = [
    `master output:\n${readTail(path.join(dir, 'master.out')) || '(none)'}`,
    run('cyr_info', ['-C', path.join(dir, 'imapd.conf'), '-M', path.join(dir, 'cyrus.conf'), 'conf-lint']),
    run('ctl_cyrusdb', ['-C', path.join(dir, 'imapd.conf'), '-r']),
  ];
  const logRoot = path.join(dir, 'conf', 'log');
  for (const user of fs.existsSync(logRoot) ? fs.readdirSync(logRoot) : []) {
    for (const file of fs.readdirSync(path.join(logRoot, user))) {
      sections.push(`session log ${user}/${file}:\n${readTail(path.join(logRoot, user, file))}`);
    }
  }
  return sections.join('\n');
}

/** The last lines of a file, a run of identical lines shown once with its count. */
function readTail(file: string, lines = 15): string {
  try {
    const runs: { line: string; count: number }[] = [];
    for (const line of fs.readFileSync(file, 'utf8').trim().split('\n')) {
      const last = runs[runs.length - 1];
      if (last?.line === line) last.count++;
      else runs.push({ line, count: 1 });
    }
    return runs.slice(-lines).map((r) => (r.count > 1 ? `${r.line} (${r.count} times)` : r.line)).join('\n');
  } catch {
    return '';
  }
}

/** master's pid; thanks to setsid it leads the process group of every process of this instance. */
function masterPid(dir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dir, 'master.pid'), 'utf8').trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function childPids(parent: number): number[] {
  try {
    return fs.readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false; // Already gone.
  }
}

/**
 * SIGTERM to the whole group lets imapd processes close their sockets; SIGKILL follows for
 * anything left. Signalled alone, master would exit and leave its imapd children serving.
 */
async function killInstance(dir: string): Promise<void> {
  const pid = masterPid(dir);
  if (pid === undefined || !signal(-pid, 'SIGTERM')) return;
  for (let waited = 0; waited < 2_000 && signal(-pid, 0); waited += 25) {
    await new Promise((r) => setTimeout(r, 25));
  }
  signal(-pid, 'SIGKILL');
}

/** For the 'exit' handler and failed starts, where nothing asynchronous may run. */
function stopSync(dir: string, remove: boolean): void {
  running.delete(dir);
  const pid = masterPid(dir);
  if (pid !== undefined) signal(-pid, 'SIGKILL');
  fs.rmSync(path.join(dir, 'master.pid'), { force: true });
  if (remove) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * master stays in the foreground (-D) but in a session of its own, so it would outlive a test
 * process killed by a signal. A detached shell watches our pid and stops the server if we vanish.
 * It reads master.pid each time, so a restart() is followed too.
 */
function startWatchdog(dir: string): void {
  // `kill -KILL -PGID`, not `kill -KILL -- -PGID`: dash's kill refuses `--` and would kill nothing.
  const script = `while kill -0 ${process.pid} 2>/dev/null && [ -d "$1" ]; do sleep 1; done
if [ -d "$1" ]; then [ -f "$1/master.pid" ] && kill -KILL "-$(cat "$1/master.pid")" 2>/dev/null; rm -rf "$1"; fi`;
  spawn('sh', ['-c', script, 'cyrus-watchdog', dir], { detached: true, stdio: 'ignore' }).unref();
}

process.on('exit', () => {
  for (const dir of [...running]) stopSync(dir, true);
});
