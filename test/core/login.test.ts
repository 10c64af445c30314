import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { AccountSession } from '../../src/core/accountSession';
import { readPresentedCertificate } from '../../src/core/certificate';
import { MailError } from '../../src/core/errors';
import { connectClient } from '../../src/core/imapClient';
import type { AccountConfig, MailErrorInfo } from '../../src/core/types';
import { silentLog } from '../../src/core/log';
import { startDovecot, type DovecotServer } from '../support/dovecot';

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

  it('traces the IMAP wire with the password redacted', async () => {
    const lines: string[] = [];
    const capture = { trace: (m: string) => lines.push(m), debug: (m: string) => lines.push(m), info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    await AccountSession.verify(account({}), 'secret', capture);
    assert.ok(lines.some((l) => /^C: .*(LOGIN|AUTHENTICATE)/.test(l)), `no login line in the trace:\n${lines.join('\n')}`);
    assert.ok(lines.some((l) => l.startsWith('S: ')), 'server lines are traced');
    assert.ok(!lines.some((l) => l.includes('secret') || l.includes(Buffer.from('\0alice\0secret').toString('base64'))), 'the password never appears');
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
        // Through connectClient with a short timeout, as verify uses the default 15 s.
        await connectClient(account({ port }), 'secret', { log: silentLog, connectionTimeout: 1_500 });
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
