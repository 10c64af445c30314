/**
 * The one door into imapflow's internals keeps imapflow's state machine intact: a command written
 * through it while the connection is in IDLE goes out only after DONE and the IDLE's tagged OK
 * (RFC 2177 3), as imapflow's own commands do; and the answer deadline counts a command stuck
 * behind an IDLE as unanswered, even while the server keeps talking inside that IDLE.
 * Read on the wire through the test proxy, against Dovecot.
 */
import * as assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { answerWithin, silenceInfo } from '../../src/core/imap/answerDeadline';
import { MailError } from '../../src/core/imap/errors';
import { execCommand } from '../../src/core/imap/imapflowInternals';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { startImapProxy, type ImapProxy } from '../support/imapProxy';
import { until } from '../support/waitFor';

describe('the door into imapflow (imapflowInternals.ts)', function () {
  this.timeout(30_000);
  let server: DovecotServer;
  let proxy: ImapProxy;
  let client: ImapFlow;
  let transcript: string[];

  before(async () => {
    server = await startDovecot();
    await server.deliver('alice', 'INBOX', simpleMessage('One'));
  });
  beforeEach(async () => {
    transcript = [];
    proxy = await startImapProxy(server.port, { transcript });
    client = new ImapFlow({ host: '127.0.0.1', port: proxy.port, secure: false, doSTARTTLS: false, auth: { user: 'alice', pass: 'secret' }, logger: false, disableAutoIdle: true });
    client.on('error', () => undefined);
    await client.connect();
    await client.mailboxOpen('INBOX');
  });
  afterEach(async () => {
    client?.close();
    await proxy?.stop();
  });
  after(async () => {
    await server?.stop();
  });

  /** Starts an IDLE and waits until the server has granted it (`+`). */
  async function idling(): Promise<void> {
    void client.idle().catch(() => undefined);
    await until(() => {
      const idle = transcript.findIndex((line) => /^C: \S+ IDLE$/.test(line));
      return idle >= 0 && transcript.slice(idle).some((line) => /^S: \+/.test(line));
    }, 5_000, 'the IDLE granted');
  }

  it('writes a command only after DONE and the IDLE\'s tagged OK', async () => {
    await idling();
    const idleTag = transcript.find((line) => /^C: \S+ IDLE$/.test(line))!.slice(3).split(' ')[0];
    const response = await execCommand(client, 'NOOP', []);
    response.next();
    const done = transcript.indexOf('C: DONE');
    const idleOk = transcript.findIndex((line) => line.startsWith(`S: ${idleTag} OK`));
    const noop = transcript.findIndex((line) => / NOOP$/.test(line));
    assert.ok(done >= 0 && idleOk > done && noop > idleOk, `DONE, then the IDLE's OK, then NOOP; the wire said:\n${transcript.join('\n')}`);
  });

  it('counts a command stuck behind an IDLE against the deadline, whatever the server says inside the IDLE', async () => {
    await idling();
    // Past the door: imapflow's own exec queues the NOOP behind the IDLE, which nothing ends.
    const raw = client as unknown as { exec(command: string, attributes: unknown[]): Promise<{ next(): void }> };
    const started = Date.now();
    // The server keeps talking inside the IDLE (new mail, as `* OK Still here` would).
    const talking = setInterval(() => void server.deliver('alice', 'INBOX', simpleMessage('Meanwhile')).catch(() => undefined), 300);
    try {
      await assert.rejects(
        answerWithin(client, 1_500, () => silenceInfo('127.0.0.1', 1_500, 'checking'), async () => (await raw.exec('NOOP', [])).next()),
        (err: unknown) => err instanceof MailError && err.info.code === 'timeout',
      );
    } finally {
      clearInterval(talking);
    }
    assert.ok(transcript.some((line) => /^S: \* \d+ EXISTS/.test(line)), 'the server spoke during the IDLE');
    assert.ok(Date.now() - started < 4_000, `the deadline fired after ${Date.now() - started} ms`);
  });
});
