/**
 * classifyError on the shapes of errors that really reach it: imapflow's login failures (with and
 * without a response code), Node's DNS, socket and TLS errors, imapflow's own codes. Each must
 * land in the kind the UI acts on (a failed login stops retrying; a dropped link retries).
 */
import * as assert from 'node:assert/strict';
import { classifyError, MailError } from '../../src/core/imap/errors';

const ctx = { host: 'imap.example.com', port: 993, user: 'alice' };

/** An Error with the extra properties Node or imapflow put on it. */
function err(message: string, extra: Record<string, unknown>): Error {
  return Object.assign(new Error(message), extra);
}

describe('classifying connection errors', () => {
  describe('wrong credentials', () => {
    it('a LOGIN refused without a response code (imapflow sets only authenticationFailed)', () => {
      const info = classifyError(err('Command failed', { authenticationFailed: true, response: 'LOGIN failed.', responseText: 'LOGIN failed.' }), ctx);
      assert.equal(info.code, 'auth');
      assert.match(info.message, /imap\.example\.com/);
      assert.match(info.message, /alice/);
      assert.match(info.message, /user name or password/);
    });

    it('a LOGIN refused with [AUTHENTICATIONFAILED] (RFC 5530)', () => {
      const info = classifyError(err('Command failed', { serverResponseCode: 'AUTHENTICATIONFAILED', responseText: 'Authentication failed.' }), ctx);
      assert.equal(info.code, 'auth');
    });

    it('leaves out the user when it is not known', () => {
      const info = classifyError(err('Command failed', { authenticationFailed: true }), { host: 'h.example', port: 143 });
      assert.equal(info.code, 'auth');
      assert.doesNotMatch(info.message, /undefined| for /);
    });
  });

  describe('host not found', () => {
    for (const code of ['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']) {
      it(`getaddrinfo ${code}`, () => {
        const info = classifyError(err(`getaddrinfo ${code} imap.example.com`, { code, syscall: 'getaddrinfo', hostname: 'imap.example.com' }), ctx);
        assert.equal(info.code, 'host-not-found');
        assert.match(info.message, /imap\.example\.com could not be found/);
      });
    }
  });

  it('a refused connection names host and port', () => {
    const info = classifyError(err('connect ECONNREFUSED 127.0.0.1:993', { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' }), ctx);
    assert.equal(info.code, 'connection-refused');
    assert.match(info.message, /imap\.example\.com:993/);
  });

  describe('timeouts', () => {
    for (const code of ['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'ETIMEOUT', 'ETIMEDOUT']) {
      it(code, () => {
        const info = classifyError(err('Timeout', { code }), ctx);
        assert.equal(info.code, 'timeout');
        assert.match(info.message, /did not answer in time/);
      });
    }
    for (const code of ['EHOSTUNREACH', 'ENETUNREACH']) {
      it(`${code} says the network cannot reach the host`, () => {
        const info = classifyError(err(`connect ${code}`, { code }), ctx);
        assert.equal(info.code, 'timeout');
        assert.match(info.message, /network cannot reach imap\.example\.com/);
      });
    }
  });

  describe('certificates', () => {
    const cases: [string, RegExp][] = [
      ['DEPTH_ZERO_SELF_SIGNED_CERT', /self-signed/],
      ['SELF_SIGNED_CERT_IN_CHAIN', /self-signed/],
      ['CERT_HAS_EXPIRED', /expired/],
      ['CERT_NOT_YET_VALID', /not valid yet/],
      ['ERR_TLS_CERT_ALTNAME_INVALID', /another host name/],
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', /no trusted authority/],
      ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', /no trusted authority/],
      ['UNABLE_TO_GET_ISSUER_CERT', /no trusted authority/],
      ['CERT_UNTRUSTED', /no trusted authority/],
    ];
    for (const [code, reason] of cases) {
      it(`${code} is an untrusted certificate: ${reason.source}`, () => {
        // Node's TLS errors carry the OpenSSL reason as the message and the code.
        const info = classifyError(err('certificate verify failed', { code }), ctx);
        assert.equal(info.code, 'certificate-untrusted');
        assert.match(info.message, /TLS certificate of imap\.example\.com is not trusted/);
        assert.match(info.message, reason);
      });
    }

    it('a certificate other than the pinned one warns of interception', () => {
      const info = classifyError(err('certificate changed', { code: 'CERT_PINNED_MISMATCH' }), ctx);
      assert.equal(info.code, 'certificate-untrusted');
      assert.match(info.message, /not the one you trusted/);
      assert.match(info.message, /intercepting/);
    });
  });

  describe('TLS that cannot be set up', () => {
    it('by Node code (plain IMAP answered a TLS hello)', () => {
      const info = classifyError(err('SSL routines:ssl3_get_record:wrong version number', { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }), ctx);
      assert.equal(info.code, 'tls');
      assert.match(info.message, /secure connection to imap\.example\.com:993/);
      assert.match(info.message, /STARTTLS/);
    });

    it('by an ERR_SSL code alone, whatever the message says', () => {
      assert.equal(classifyError(err('packet length too long', { code: 'ERR_SSL_PACKET_LENGTH_TOO_LONG' }), ctx).code, 'tls');
    });

    it('by an ERR_TLS code', () => {
      assert.equal(classifyError(err('protocol version not supported', { code: 'ERR_TLS_INVALID_PROTOCOL_VERSION' }), ctx).code, 'tls');
    });

    it('by message alone', () => {
      assert.equal(classifyError(err('Client network socket disconnected before secure TLS connection was established', {}), ctx).code, 'tls');
      assert.equal(classifyError(err('SSL alert handshake failure', {}), ctx).code, 'tls');
    });
  });

  describe('dropped connections', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'EConnectionClosed', 'NoConnection', 'ClosedAfterConnectText', 'ClosedAfterConnectTLS']) {
      it(code, () => {
        const info = classifyError(err('Connection closed', { code }), ctx);
        assert.equal(info.code, 'dropped');
        assert.match(info.message, /imap\.example\.com:993 was closed/);
      });
    }
  });

  describe('raw imapflow errors that reach a folder command', () => {
    // What imapflow 2.10 rejects a command with when its connection is gone: `createNoConnectionError`.
    it('"Connection not available" (NoConnection) is a dropped connection, in plain words', () => {
      const info = classifyError(err('Connection not available', { code: 'NoConnection', rejectedFrom: 'pendingRequest', command: 'UID FETCH' }), ctx);
      assert.equal(info.code, 'dropped');
      assert.doesNotMatch(info.message, /Connection not available/);
      assert.match(info.message, /reconnects by itself/);
    });

    it('"Connection not available" without its code (re-thrown by other code) is still a dropped connection', () => {
      const info = classifyError(new Error('Connection not available'), ctx);
      assert.equal(info.code, 'dropped');
      assert.match(info.message, /imap\.example\.com:993 was closed/);
    });

    it('repeats the reason of a BYE that ended the session (RFC 3501 7.1.5)', () => {
      const info = classifyError(err('Connection not available', { code: 'NoConnection', reason: 'Server shutting down.' }), ctx);
      assert.equal(info.code, 'dropped');
      assert.match(info.message, /The server said: Server shutting down\./);
    });

    it('EConnectionClosed and StateLogout are dropped connections', () => {
      assert.equal(classifyError(err('Connection closed', { code: 'EConnectionClosed' }), ctx).code, 'dropped');
      assert.equal(classifyError(err('Can not send data after logged out', { code: 'StateLogout' }), ctx).code, 'dropped');
    });

    it('"Socket timeout" (ETIMEOUT, the watchdog) says the server stopped answering, not to check the port', () => {
      for (const e of [err('Socket timeout', { code: 'ETIMEOUT' }), new Error('Socket timeout')]) {
        const info = classifyError(e, ctx);
        assert.equal(info.code, 'timeout');
        assert.match(info.message, /imap\.example\.com:993 stopped answering/);
        assert.doesNotMatch(info.message, /Socket timeout|Check the port/);
      }
    });

    it('TooManyTokens and the other response limits say the response could not be read', () => {
      for (const code of ['TooManyTokens', 'TooManyResponses', 'LiteralTooLarge', 'ParserError11']) {
        const info = classifyError(err('Response has more than 1000000 tokens', { code }), ctx);
        assert.equal(info.code, 'protocol', code);
        assert.match(info.message, /could not read/, code);
        assert.doesNotMatch(info.message, /tokens/, code);
      }
    });

    it('a throttled command (ETHROTTLE, Microsoft 365) says so, with the wait the server asked for', () => {
      const info = classifyError(
        err('Command failed', { code: 'ETHROTTLE', responseStatus: 'BAD', responseText: 'Request is throttled. Suggested Backoff Time: 92415 milliseconds', throttleReset: 92_415 }),
        ctx,
      );
      assert.equal(info.code, 'protocol');
      assert.match(info.message, /throttling/);
      assert.match(info.message, /about 93 s/);
      assert.doesNotMatch(info.message, /Suggested Backoff/);
    });

    it('a mailbox lock not granted in time says the connection was busy, not that the server is silent', () => {
      const info = classifyError(err('Timed out waiting for mailbox lock', { code: 'LockTimeout' }), ctx);
      assert.equal(info.code, 'timeout');
      assert.match(info.message, /busy/);
    });
  });

  it('repeats what the server said when it refused a command for another reason', () => {
    const info = classifyError(err('Command failed', { responseText: 'Mailbox is locked', serverResponseCode: 'INUSE' }), ctx);
    assert.equal(info.code, 'protocol');
    assert.match(info.message, /Mailbox is locked/);
    assert.match(classifyError(err('Command failed', { serverResponseCode: 'LIMIT' }), ctx).message, /LIMIT/);
  });

  it('says something went wrong, with the error\'s words, for anything else', () => {
    const info = classifyError(new Error('out of cheese'), ctx);
    assert.equal(info.code, 'unknown');
    assert.match(info.message, /imap\.example\.com:993: out of cheese/);
    assert.match(classifyError('just a string', ctx).message, /just a string/);
    assert.equal(classifyError(undefined, ctx).code, 'unknown');
    assert.equal(classifyError(null, ctx).code, 'unknown');
  });

  it('passes a MailError through unchanged', () => {
    const info = { code: 'auth' as const, message: 'No password is saved.' };
    assert.equal(classifyError(new MailError(info), ctx), info);
    const wrapped = new MailError(info, { cause: new Error('x') });
    assert.equal(wrapped.name, 'MailError');
    assert.equal(wrapped.message, 'No password is saved.');
  });
});
