/**
 * A private Dovecot for tests: its own folder, its own loopback port, its own users.
 *
 * Real IMAP behaviour (IDLE, NOTIFY, CONDSTORE/QRESYNC, special-use folders, hierarchy) is what
 * Mailroom depends on, so tests talk to the real server rather than a fake. The recipe is the one
 * in ENVIRONMENT.md. Messages go in through IMAP APPEND (not by writing Maildir files) so that
 * sessions already open see them the way they would see new mail.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort, readGreeting, waitFor } from './net';
import { withOtherClient } from './otherClient';

export interface DovecotServer {
  host: '127.0.0.1';
  /** Plain IMAP; with `tls: true` it also offers STARTTLS. */
  port: number;
  /** With `tls: true`: implicit TLS (the "imaps" listener, RFC 8314). */
  tlsPort?: number;
  dir: string;
  users: Record<string, string>;
  /** With `tls: true`: the self-signed certificate, PEM, and its fingerprint as Node prints it. */
  certPem?: string;
  certFingerprint256?: string;
  stop(): Promise<void>;
  /** Stops the whole process group (every open connection drops) and starts the server again on the same port and mail. */
  restart(): Promise<void>;
  /** Appends a message through IMAP so live sessions are told about it. */
  deliver(user: string, folder: string, raw: string | Buffer, flags?: string[], internalDate?: Date): Promise<void>;
  createFolder(user: string, path: string): Promise<void>;
}

export interface DovecotOptions {
  users?: Record<string, string>;
  tls?: boolean;
  /** A fixed plain-IMAP port (the demo's); by default a free one. */
  port?: number;
  /** False: no special folders made, none marked with RFC 6154 attributes (like Courier). */
  specialUse?: boolean;
  /** The full capability list to announce after login (`imap_capability`), to play a smaller server. */
  capabilities?: string;
  /**
   * False: no mailbox list index. Dovecot then lists folders by reading directories, so folders made
   * straight on disk are listed at once instead of after an index rebuild that opens every one of
   * them (about 2 ms a folder); NOTIFY then learns less of other folders.
   */
  listIndex?: boolean;
}

/** What Courier IMAP announces, more or less: no CONDSTORE, QRESYNC, NOTIFY, SPECIAL-USE or LIST-STATUS. */
export const COURIER_LIKE_CAPABILITIES = 'IMAP4rev1 LITERAL+ IDLE UIDPLUS NAMESPACE CHILDREN SORT THREAD=REFERENCES';

/** Servers still running in this process, stopped synchronously if the process exits. */
const running = new Set<string>(); // their folders

export async function startDovecot(opts: DovecotOptions = {}): Promise<DovecotServer> {
  const users = opts.users ?? { alice: 'secret' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-dovecot-'));
  // The login and auth processes run as unprivileged users and must reach the sockets in here.
  fs.chmodSync(dir, 0o755);
  const confPath = path.join(dir, 'dovecot.conf');
  try {
    fs.mkdirSync(path.join(dir, 'mail'));
    fs.writeFileSync(
      path.join(dir, 'users'),
      Object.entries(users).map(([user, password]) => `${user}:{PLAIN}${password}\n`).join(''),
      { mode: 0o644 },
    );
    const identity = processIdentity();
    if (identity.root) execFileSync('chown', ['-R', 'dovecot:dovecot', path.join(dir, 'mail')]);
    const tls = opts.tls ? generateCertificate(dir) : undefined;

    // The port we picked may be taken before Dovecot binds it; pick again a few times.
    for (let attempt = 1; ; attempt++) {
      const port = opts.port ?? (await freePort());
      const tlsPort = tls ? await freePort() : undefined;
      fs.writeFileSync(confPath, dovecotConfig({ dir, port, tlsPort, identity, specialUse: opts.specialUse ?? true, capabilities: opts.capabilities, listIndex: opts.listIndex ?? true }));
      const failure = await launchDovecot(dir, confPath);
      if (failure) {
        if (attempt < 3 && /address already in use/i.test(failure)) continue;
        throw new Error(`dovecot did not start: ${failure}\n${logTail(dir)}`);
      }
      running.add(dir);
      startWatchdog(dir);
      try {
        await waitFor(`Dovecot's greeting on 127.0.0.1:${port}`, async () => (await readGreeting(port)).startsWith('* OK'));
      } catch (error) {
        const log = logTail(dir);
        stopSync(dir);
        throw new Error(`${(error as Error).message}\n${log}`);
      }
      return makeServer({ dir, port, tlsPort, users, tls });
    }
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

function makeServer(o: {
  dir: string;
  port: number;
  tlsPort?: number;
  users: Record<string, string>;
  tls?: { certPem: string; fingerprint256: string };
}): DovecotServer {
  const withClient = <T>(user: string, work: (client: ImapFlow) => Promise<T>): Promise<T> =>
    withOtherClient({ host: '127.0.0.1', port: o.port, users: o.users }, user, work);
  return {
    host: '127.0.0.1',
    port: o.port,
    tlsPort: o.tlsPort,
    dir: o.dir,
    users: o.users,
    certPem: o.tls?.certPem,
    certFingerprint256: o.tls?.fingerprint256,
    async stop() {
      if (!running.has(o.dir)) return;
      running.delete(o.dir);
      await killInstance(o.dir);
      fs.rmSync(o.dir, { recursive: true, force: true });
    },
    async restart() {
      const pid = masterPid(o.dir);
      await killInstance(o.dir);
      // The master must be gone before a new one starts: it refuses to run beside its own pid file.
      await waitFor('the old Dovecot to exit', async () => pid === undefined || !signalInstance(pid, 0 as unknown as NodeJS.Signals), { timeoutMs: 5_000, intervalMs: 20 });
      fs.rmSync(path.join(o.dir, 'run', 'master.pid'), { force: true });
      const failure = await launchDovecot(o.dir, path.join(o.dir, 'dovecot.conf'));
      if (failure) throw new Error(`dovecot did not start again: ${failure}\n${logTail(o.dir)}`);
      await waitFor(`Dovecot's greeting on 127.0.0.1:${o.port} after a restart`, async () => (await readGreeting(o.port)).startsWith('* OK'));
    },
    deliver: (user, folder, raw, flags = [], internalDate) =>
      withClient(user, async (client) => {
        const result = await client.append(folder, raw, flags, internalDate);
        if (!result) throw new Error(`APPEND to ${user}/${folder} failed`);
      }),
    createFolder: (user, folderPath) =>
      withClient(user, async (client) => {
        await client.mailboxCreate(folderPath);
      }),
  };
}

/**
 * Runs `dovecot -c conf` and resolves with its error output if it failed to start.
 * Not execFile: the daemon it forks inherits the output pipes and keeps them open, so waiting
 * for them to close would wait for the server to stop. Startup errors go to a file instead.
 */
async function launchDovecot(dir: string, confPath: string): Promise<string | undefined> {
  const errPath = path.join(dir, 'startup.err');
  const errFd = fs.openSync(errPath, 'w');
  try {
    const child = spawn('dovecot', ['-c', confPath], { stdio: ['ignore', errFd, errFd] });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    return code === 0 ? undefined : fs.readFileSync(errPath, 'utf8').trim() || `exit code ${code}`;
  } finally {
    fs.closeSync(errFd);
  }
}

interface ProcessIdentity {
  root: boolean;
  user: string;
  group: string;
  /** Runs the pre-login processes: an account with no rights, so a login exploit gains nothing. */
  loginUser: string;
  uid: number;
  gid: number;
}

function processIdentity(): ProcessIdentity {
  const root = process.getuid?.() === 0;
  if (root) return { root, user: 'dovecot', group: 'dovecot', loginUser: 'dovenull', uid: -1, gid: -1 };
  // Without root, Dovecot cannot switch users, so every process runs as us ("rootless" mode).
  const info = os.userInfo();
  const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
  return { root, user: info.username, group, loginUser: info.username, uid: info.uid, gid: info.gid };
}

function dovecotConfig(o: { dir: string; port: number; tlsPort?: number; identity: ProcessIdentity; specialUse: boolean; capabilities?: string; listIndex: boolean }): string {
  const { dir, identity } = o;
  const tls = o.tlsPort !== undefined;
  const uidArgs = identity.root ? 'uid=dovecot gid=dovecot' : `uid=${identity.uid} gid=${identity.gid}`;
  return `# Written by test/support/dovecot.ts for one test run.
base_dir = ${dir}/run
state_dir = ${dir}/run/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
${tls ? `ssl = yes\nssl_cert = <${dir}/cert.pem\nssl_key = <${dir}/key.pem` : 'ssl = no'}
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${dir}/mail/%u
# Dovecot's NOTIFY (RFC 5465) learns of changes in other mailboxes from the mailbox list index.
mailbox_list_index = ${o.listIndex ? 'yes' : 'no'}
default_internal_user = ${identity.user}
default_internal_group = ${identity.group}
default_login_user = ${identity.loginUser}
# The dovecot user's uid is below the default minimum of 500.
first_valid_uid = ${identity.root ? 100 : Math.min(identity.uid, 100)}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = ${uidArgs} home=${dir}/mail/%u
}
namespace inbox {
  inbox = yes
  separator = /
${o.specialUse ? `  mailbox Sent {
    special_use = \\Sent
    auto = create
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = create
  }
  mailbox Trash {
    special_use = \\Trash
    auto = create
  }
  mailbox Junk {
    special_use = \\Junk
    auto = create
  }
  mailbox Archive {
    special_use = \\Archive
    auto = create
  }
` : ''}}
${identity.root ? '' : '# Only root may chroot.\nservice anvil {\n  chroot =\n}\n'}service imap-login {
${identity.root ? '' : '  chroot =\n'}  inet_listener imap {
    port = ${o.port}
  }
  inet_listener imaps {
    port = ${o.tlsPort ?? 0}
  }
}
protocol imap {
  # Tests open many sessions for one user from one address.
  mail_max_userip_connections = 100
  # Tell IDLE clients about new mail at once, not after the default interval.
  imap_idle_notify_interval = 1 secs
${o.capabilities ? `  imap_capability = ${o.capabilities}\n` : ''}}
`;
}

/** A self-signed certificate for 127.0.0.1 and localhost, valid for two days. */
function generateCertificate(dir: string): { certPem: string; fingerprint256: string } {
  const certPath = path.join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', path.join(dir, 'key.pem'), '-out', certPath, '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'pipe' });
  const certPem = fs.readFileSync(certPath, 'utf8');
  // Same form as the `fingerprint256` of a peer certificate in Node's TLS API.
  return { certPem, fingerprint256: new crypto.X509Certificate(certPem).fingerprint256 };
}

/** The master's pid; it leads the process group of every process of this instance. */
function masterPid(dir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dir, 'run', 'master.pid'), 'utf8').trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function signalInstance(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // No such process group: already gone.
  }
}

/**
 * Stops one instance. Not `dovecot stop`: its master takes about 3 s to exit, which adds up over a
 * test suite. SIGTERM lets sessions close their sockets; SIGKILL follows for anything left, which
 * loses nothing since the folder is deleted next.
 */
async function killInstance(dir: string): Promise<void> {
  const pid = masterPid(dir);
  if (pid === undefined || !signalInstance(pid, 'SIGTERM')) return;
  for (let waited = 0; waited < 200 && signalInstance(pid, 0 as unknown as NodeJS.Signals); waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
  }
  signalInstance(pid, 'SIGKILL');
}

/** For the 'exit' handler and failed starts, where nothing asynchronous may run. */
function stopSync(dir: string): void {
  running.delete(dir);
  const pid = masterPid(dir);
  if (pid !== undefined) signalInstance(pid, 'SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Dovecot daemonizes, so it outlives a test process killed by a signal or by code-server shutting
 * down its extension host. A detached shell watches our pid and stops the server if we vanish.
 */
function startWatchdog(dir: string): void {
  // `kill -KILL -PGID`, not `kill -KILL -- -PGID`: dash's kill refuses `--` and would kill nothing.
  const script = `while kill -0 ${process.pid} 2>/dev/null && [ -d "$1" ]; do sleep 1; done
if [ -d "$1" ]; then kill -KILL "-$(cat "$1/run/master.pid")" 2>/dev/null; rm -rf "$1"; fi`;
  spawn('sh', ['-c', script, 'dovecot-watchdog', dir], { detached: true, stdio: 'ignore' }).unref();
}

function logTail(dir: string): string {
  try {
    const lines = fs.readFileSync(path.join(dir, 'dovecot.log'), 'utf8').trim().split('\n');
    return `dovecot.log:\n${lines.slice(-15).join('\n')}`;
  } catch {
    return '(no dovecot.log)';
  }
}

process.on('exit', () => {
  for (const dir of [...running]) stopSync(dir);
});
