/**
 * `npm run demo`: Mailroom with a realistic mailbox in a browser VS Code, for trying it out or
 * showing it. Starts a private Dovecot (user demo / password demo) filled by demoMailbox.ts and
 * code-server with the extension under development, prints the URL, and runs until Ctrl-C.
 *
 * Environment: MAILROOM_DEMO_PORT fixes Dovecot's port (to point another mail client at it),
 * MAILROOM_DEMO_CODE_PORT fixes code-server's. Both listen on 127.0.0.1 only.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { ImapFlow } from 'imapflow';
import { CodeServer, repoRoot, startCodeServer, workbenchUrl } from '../test/support/codeServer';
import { DovecotServer, startDovecot } from '../test/support/dovecot';
import { buildDemoMailbox, demoAddress, demoFolders } from './demoMailbox';
import { buildMessage } from './demoMime';

const user = 'demo';
const password = 'demo';
const accountId = 'demo';

function optionalPort(name: string): number | undefined {
  const value = process.env[name];
  if (!value) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`${name}=${value} is not a port number`);
  return port;
}

async function fillMailbox(dovecot: DovecotServer): Promise<number> {
  for (const folder of demoFolders) await dovecot.createFolder(user, folder);
  const messages = buildDemoMailbox();
  // Oldest first, so UIDs grow with dates as they would in a real mailbox.
  messages.sort((a, b) => a.date.getTime() - b.date.getTime());
  // One connection for all of them: the Notifications folder alone holds thousands.
  const client = new ImapFlow({ host: '127.0.0.1', port: dovecot.port, secure: false, auth: { user, pass: password }, logger: false });
  await client.connect();
  try {
    for (const m of messages) {
      if (!(await client.append(m.folder, m.raw, m.flags, m.date))) throw new Error(`APPEND to ${m.folder} failed`);
    }
  } finally {
    await client.logout().catch(() => undefined);
  }
  return messages.length;
}

/** Press Enter in the terminal to watch new mail arrive live in the tree (IDLE/NOTIFY at work). */
function offerLiveDelivery(dovecot: DovecotServer): void {
  if (!process.stdin.isTTY) return;
  let n = 0;
  console.log('Press Enter to deliver a new message to INBOX (watch it appear), Ctrl-C to stop.');
  readline.createInterface({ input: process.stdin }).on('line', () => {
    n++;
    const raw = buildMessage({
      from: 'GitHub Actions <notifications@github.com>',
      to: demoAddress,
      subject: `[dana-demo/mailroom] Run ${n % 2 ? 'passed' : 'failed'}: CI - main (live #${n})`,
      date: new Date(),
      text: `Delivered live by the demo script (#${n}).`,
    });
    dovecot.deliver(user, 'INBOX', raw).then(
      () => console.log(`delivered live message #${n}`),
      (error: Error) => console.error(`delivery failed: ${error.message}`),
    );
  });
}

async function main(): Promise<void> {
  execFileSync('bash', [path.join(repoRoot, 'scripts', 'install-test-deps.sh')], { stdio: 'inherit' });
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) {
    execFileSync(process.execPath, [path.join(repoRoot, 'esbuild.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-demo-'));
  let dovecot: DovecotServer | undefined;
  let server: CodeServer | undefined;
  let stopping = false;
  const stop = async (exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the demo…');
    await server?.stop();
    await dovecot?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  try {
    dovecot = await startDovecot({ users: { [user]: password }, port: optionalPort('MAILROOM_DEMO_PORT') });
    const count = await fillMailbox(dovecot);
    server = await startCodeServer({
      workspace: repoRoot,
      userDataDir: path.join(tmp, 'user-data'),
      extensionsDir: path.join(tmp, 'extensions'),
      port: optionalPort('MAILROOM_DEMO_CODE_PORT'),
      // Read by the extension in development mode only (src/testHooks.ts): no password prompt.
      env: { MAILROOM_TEST_PASSWORDS: JSON.stringify({ [accountId]: password }) },
      settings: {
        'mailroom.accounts': [
          { id: accountId, name: 'Demo', host: '127.0.0.1', port: dovecot.port, security: 'none', user },
        ],
      },
    });
    const url = workbenchUrl(server, repoRoot, { extensionDevelopmentPath: repoRoot });
    console.log(`
Mailroom demo is running.
  IMAP     127.0.0.1:${dovecot.port}  user ${user}, password ${password}  (${count} messages)
  Open     ${url}
           (on another machine, forward port ${server.port} first: ssh -L ${server.port}:127.0.0.1:${server.port} …)
  Logs     ${server.logPath}
`);
    offerLiveDelivery(dovecot);
  } catch (error) {
    console.error(`demo: ${(error as Error).message}`);
    await stop(1);
  }
}

void main();
