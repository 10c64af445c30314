/**
 * Certificate pinning, one layer at a time. A pinned account trusts exactly one certificate, and
 * three layers in src/core/imap/imapClient.ts `tlsOptions` hold that up; each is tested here on its
 * own, so removing any one of them fails a test:
 *   1. the fingerprint of the certificate the server presents is compared before connecting;
 *   2. the connection's `ca` is that certificate alone (no system authority vouches instead);
 *   3. `checkServerIdentity` compares the fingerprint of the certificate of the real connection,
 *      which may differ from the one checked in 1 (an interceptor can switch in between).
 * A TLS proxy in front of Dovecot plays the server, so the test chooses what it presents.
 */
import * as assert from 'node:assert/strict';
import * as tls from 'node:tls';
import { AccountSession } from '../../src/core/account/accountSession';
import { MailError } from '../../src/core/imap/errors';
import { tlsOptions } from '../../src/core/imap/imapClient';
import { silentLog } from '../../src/core/imap/log';
import type { AccountConfig } from '../../src/core/model/types';
import { makeCertificates, type TestCertificate } from '../support/certificates';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { startProxy, type TestProxy } from '../support/proxy';

/** Opens a TLS connection with `options` and resolves with the error, or undefined when it was accepted. */
function handshake(port: number, options: tls.ConnectionOptions): Promise<(Error & { code?: string }) | undefined> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...options }, () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (err) => {
      socket.destroy();
      resolve(err);
    });
  });
}

describe('certificate pinning, layer by layer', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let certs: ReturnType<typeof makeCertificates>;
  const proxies: TestProxy[] = [];

  const proxyWith = async (cert: TestCertificate, later?: TestCertificate) => {
    const proxy = await startProxy(server.port, { tls: { key: cert.key, cert: cert.cert }, laterTls: later && { key: later.key, cert: later.cert } });
    proxies.push(proxy);
    return proxy;
  };
  const pinned = (port: number, trustedCertificate: string): AccountConfig => ({
    id: 'pin', name: 'Pinned', host: '127.0.0.1', port, security: 'tls', user: 'alice', trustedCertificate,
  });

  before(async () => {
    certs = makeCertificates();
    server = await startDovecot();
  });
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });
  after(async () => {
    await server?.stop();
  });

  it('logs in through a server presenting exactly the pinned certificate', async () => {
    const proxy = await proxyWith(certs.root);
    await AccountSession.verify(pinned(proxy.port, certs.root.fingerprint256), 'secret', silentLog);
    assert.match(proxy.forwarded, /LOGIN|AUTHENTICATE/i, 'the login went through the proxy');
  });

  it('accepts the pin in lower case too', async () => {
    const proxy = await proxyWith(certs.root);
    await AccountSession.verify(pinned(proxy.port, certs.root.fingerprint256.toLowerCase()), 'secret', silentLog);
  });

  describe('1. the fingerprint check before connecting', () => {
    it('refuses a server presenting another certificate, before any IMAP connection is made', async () => {
      const proxy = await proxyWith(certs.stranger);
      await assert.rejects(tlsOptions(pinned(proxy.port, certs.root.fingerprint256)), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'CERT_PINNED_MISMATCH');
        return true;
      });
      // Only the certificate check connected; it read the certificate and sent nothing.
      assert.equal(proxy.connections, 1);
      assert.equal(proxy.forwarded, '');
    });

    it('refuses even a certificate issued by the pinned one', async () => {
      const proxy = await proxyWith(certs.issuedByRoot);
      await assert.rejects(tlsOptions(pinned(proxy.port, certs.root.fingerprint256)), { code: 'CERT_PINNED_MISMATCH' });
    });
  });

  describe('2. the pinned certificate as the only authority', () => {
    it('uses the pinned certificate alone as `ca`, and never turns verification off', async () => {
      const proxy = await proxyWith(certs.root);
      const options = await tlsOptions(pinned(proxy.port, certs.root.fingerprint256));
      assert.deepEqual(
        [options.ca].flat().map((pem) => String(pem).trim()),
        [certs.root.cert.trim()],
      );
      assert.notEqual(options.rejectUnauthorized, false);
      assert.equal(options.minVersion, 'TLSv1.2');
    });

    it('with these options, an unrelated certificate fails verification even if the identity check let it pass', async () => {
      const good = await proxyWith(certs.root);
      const options = await tlsOptions(pinned(good.port, certs.root.fingerprint256));
      const other = await proxyWith(certs.stranger);
      const err = await handshake(other.port, { ...options, checkServerIdentity: () => undefined });
      assert.ok(err, 'the handshake with an unrelated certificate must fail');
      assert.match(String(err.code), /SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/);
      assert.equal(await handshake(good.port, { ...options, checkServerIdentity: () => undefined }), undefined, 'the pinned one passes');
    });
  });

  describe('3. the fingerprint check on the real connection', () => {
    it('refuses a certificate switched in after the check, even one that chains to the pinned one', async () => {
      // The first connection (the check) sees the pinned certificate; every later one sees another
      // certificate signed with the pinned certificate's key, which `ca` alone would accept.
      const proxy = await proxyWith(certs.root);
      const account = pinned(proxy.port, certs.root.fingerprint256);
      const options = await tlsOptions(account);
      proxy.setCertificate(certs.issuedByRoot.key, certs.issuedByRoot.cert);
      // The switched certificate really does pass `ca` (so layer 2 cannot catch it):
      assert.equal(await handshake(proxy.port, { ...options, checkServerIdentity: () => undefined }), undefined);
      const forwardedBefore = proxy.forwarded.length;
      const err = await handshake(proxy.port, options);
      assert.equal(err?.code, 'CERT_PINNED_MISMATCH');
      assert.equal(proxy.forwarded.length, forwardedBefore, 'nothing was sent over the switched connection');
    });

    it('so a login is refused with the plain-words warning and the password never reaches the server', async () => {
      // The first connection (the check) sees the pinned certificate, the login's sees the other.
      const proxy = await proxyWith(certs.root, certs.issuedByRoot);
      await assert.rejects(AccountSession.verify(pinned(proxy.port, certs.root.fingerprint256), 'secret', silentLog), (err: unknown) => {
        assert.ok(err instanceof MailError);
        assert.equal(err.info.code, 'certificate-untrusted');
        assert.match(err.info.message, /not the one you trusted/);
        return true;
      });
      assert.ok(proxy.connections >= 2, 'the real connection was attempted');
      assert.ok(!proxy.forwarded.includes('secret'), 'the password was not sent');
    });

    it('checkServerIdentity compares fingerprints whatever the case', async () => {
      const proxy = await proxyWith(certs.root);
      const options = await tlsOptions(pinned(proxy.port, certs.root.fingerprint256.toLowerCase()));
      const check = options.checkServerIdentity!;
      assert.equal(check('127.0.0.1', { fingerprint256: certs.root.fingerprint256 } as tls.PeerCertificate), undefined);
      assert.equal(check('127.0.0.1', { fingerprint256: certs.root.fingerprint256.toLowerCase() } as tls.PeerCertificate), undefined);
      assert.equal((check('127.0.0.1', { fingerprint256: certs.stranger.fingerprint256 } as tls.PeerCertificate) as Error & { code: string }).code, 'CERT_PINNED_MISMATCH');
      assert.equal((check('127.0.0.1', {} as tls.PeerCertificate) as Error & { code: string }).code, 'CERT_PINNED_MISMATCH');
    });
  });
});
