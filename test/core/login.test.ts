import * as assert from 'node:assert/strict';
import * as util from 'node:util';
import * as net from 'node:net';
import { AccountSession } from '../../src/core/account/accountSession';
import { readPresentedCertificate } from '../../src/core/imap/certificate';
import { MailError } from '../../src/core/imap/errors';
import { connectClient } from '../../src/core/imap/imapClient';
import type { AccountConfig, MailErrorInfo } from '../../src/core/model/types';
import { silentLog } from '../../src/core/imap/log';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { startProxy } from '../support/proxy';
import { startLoginRecorder } from '../support/loginRecorder';

async function failureOf(account: AccountConfig, password: string): Promise<MailErrorInfo> {
  try {
    await AccountSession.verify(account, password, silentLog);
  } catch (err) {
    assert.ok(err instanceof MailError, `expected a MailError, got ${err}`);
    return err.info;
  }
  assert.fail('the login was expected to fail');
}

describe('logging in', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  const account = (over: Partial<AccountConfig>): AccountConfig => ({
    id: 't',
    name: 'Test',
    host: '127.0.0.1',
    port: server.port,
    security: 'none',
    user: 'alice',
    ...over,
  });

  before(async () => {
    server = await startDovecot({ tls: true });
  });
  after(async () => {
    await server?.stop();
  });

  it('succeeds with the right password', async () => {
    await AccountSession.verify(account({}), 'secret', silentLog);
  });

  it('traces the IMAP wire without the password, even when the server echoes it back', async () => {
    // imapflow hides the password in the lines it logs as sent, so the trace only proves Mailroom's
    // own redaction when the password comes back from the server: this proxy echoes every line
    // the client sends as an untagged ALERT (RFC 3501 7.1), as some servers do in error texts.
    const password = 'pa"ss\\word';
    const echoServer = await startDovecot({ users: { alice: password } });
    const echoing = await startProxy(echoServer.port, { onClientLine: (line) => `* OK [ALERT] you sent: ${line}\r\n` });
    try {
      const lines: string[] = [];
      const capture = { trace: (m: string) => lines.push(m), debug: (m: string) => lines.push(m), info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
      await AccountSession.verify(account({ port: echoing.port }), password, capture);
      assert.ok(lines.some((l) => /^C: .*(LOGIN|AUTHENTICATE)/.test(l)), `no login line in the trace:\n${lines.join('\n')}`);
      const echoed = lines.filter((l) => /^S: \* OK \[ALERT\] you sent: .*(LOGIN|AUTHENTICATE)/i.test(l));
      assert.ok(echoed.length > 0, `the server's echo of the login is traced:\n${lines.join('\n')}`);
      const forms = ['pa"ss', 'pa\\"ss', Buffer.from(`\0alice\0${password}`).toString('base64'), Buffer.from(password).toString('base64')];
      const leaked = lines.filter((l) => forms.some((f) => l.includes(f)));
      assert.deepEqual(leaked, [], 'the password never appears, in any form');
    } finally {
      await echoing.close();
      await echoServer.stop();
    }
  });

  it('keeps no secret in the error of a failed login that the server echoes, its cause included', async () => {
    const password = 'pa"ss\\word-typed';
    const echoing = await startLoginRecorder({ echo: true });
    try {
      let error: unknown;
      try {
        await AccountSession.verify(account({ port: echoing.port }), password, silentLog);
      } catch (err) {
        error = err;
      }
      assert.ok(error instanceof MailError, `a MailError, not ${String(error)}`);
      assert.equal(error.info.code, 'auth');
      const printed = util.inspect(error, { depth: 10, showHidden: true });
      const forms = ['pa"ss', 'pa\\"ss', 'word-typed', Buffer.from(`\0alice\0${password}`).toString('base64'), Buffer.from(password).toString('base64')];
      assert.deepEqual(forms.filter((f) => printed.includes(f)), [], `no form of the password in:\n${printed}`);
      assert.ok(echoing.lines.some((line) => line.includes('word-typed')), 'the password went to the server, which echoed it');
      assert.ok((error as Error).cause, 'the cause is kept, without the secret');
    } finally {
      await echoing.stop();
    }
  });

  it('says the credentials are wrong, and does not leak the password into the message', async () => {
    const info = await failureOf(account({}), 'not-the-password');
    assert.equal(info.code, 'auth');
    assert.match(info.message, /user name or password/);
    assert.ok(!info.message.includes('not-the-password'));
  });

  it('says the connection was refused when nothing listens', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    const info = await failureOf(account({ port: closed }), 'secret');
    assert.equal(info.code, 'connection-refused');
  });

  it('says the host was not found', async () => {
    const info = await failureOf(account({ host: 'no-such-host.invalid' }), 'secret');
    assert.equal(info.code, 'host-not-found');
  });

  it('says the server timed out when it never greets', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const started = Date.now();
      let info: MailErrorInfo | undefined;
      try {
        // Through connectClient with a short timeout, as verify uses the default 30 s.
        await connectClient(account({ port }), 'secret', { log: silentLog, answerTimeout: 1_500 });
      } catch (err) {
        info = (err as MailError).info;
      }
      assert.equal(info?.code, 'timeout');
      assert.ok(Date.now() - started < 10_000);
    } finally {
      silent.close();
    }
  });

  it('refuses an untrusted certificate and reports its SHA-256 fingerprint', async () => {
    const tlsAccount = account({ port: server.tlsPort!, security: 'tls' });
    const info = await failureOf(tlsAccount, 'secret');
    assert.equal(info.code, 'certificate-untrusted');
    const presented = await readPresentedCertificate('127.0.0.1', server.tlsPort!, 'tls');
    assert.equal(presented.fingerprint256, server.certFingerprint256);
  });

  it('reads the certificate behind STARTTLS too', async () => {
    const presented = await readPresentedCertificate('127.0.0.1', server.port, 'starttls');
    assert.equal(presented.fingerprint256, server.certFingerprint256);
    const info = await failureOf(account({ security: 'starttls' }), 'secret');
    assert.equal(info.code, 'certificate-untrusted');
  });

  it('logs in over TLS and STARTTLS once exactly that certificate is trusted', async () => {
    const trusted = server.certFingerprint256!;
    await AccountSession.verify(account({ port: server.tlsPort!, security: 'tls', trustedCertificate: trusted }), 'secret', silentLog);
    await AccountSession.verify(account({ security: 'starttls', trustedCertificate: trusted }), 'secret', silentLog);
  });

  it('refuses a certificate other than the trusted one', async () => {
    const other = server.certFingerprint256!.replace(/^../, server.certFingerprint256!.startsWith('00') ? '11' : '00');
    const info = await failureOf(account({ port: server.tlsPort!, security: 'tls', trustedCertificate: other }), 'secret');
    assert.equal(info.code, 'certificate-untrusted');
    assert.match(info.message, /not the one you trusted/);
  });
});
