/**
 * A saved password belongs to the server it was given for: the rules that decide whether one may be
 * sent, without any server (the extension suite proves the same in VS Code against real servers).
 */
import * as assert from 'node:assert/strict';
import { AccountSession } from '../../src/core/account/accountSession';
import {
  bindingOf,
  decodeCredential,
  encodeCredential,
  isLocalHost,
  passwordFor,
  plaintextAllowed,
  type SavedCredential,
} from '../../src/core/imap/credentials';
import { MailError } from '../../src/core/imap/errors';
import { silentLog } from '../../src/core/imap/log';
import type { AccountConfig } from '../../src/core/model/types';
import { freePort } from '../support/net';

const work: AccountConfig = { id: 'work', name: 'Work', host: 'imap.example.com', port: 993, security: 'tls', user: 'me@example.com' };
const savedFor = (account: AccountConfig, password = 'hunter2', plaintextConfirmed = false): SavedCredential => ({
  v: 1,
  password,
  server: bindingOf(account, plaintextConfirmed),
});

describe('A saved password and its server', () => {
  it('is handed out for the very server it was given for', () => {
    assert.deepEqual(passwordFor(work, savedFor(work)), { password: 'hunter2' });
  });

  it('compares host names without case, as DNS does', () => {
    assert.deepEqual(passwordFor({ ...work, host: 'IMAP.Example.COM' }, savedFor(work)), { password: 'hunter2' });
  });

  const changes: [string, Partial<AccountConfig>][] = [
    ['host', { host: 'imap.attacker.example' }],
    ['port', { port: 1993 }],
    ['security', { security: 'starttls' }],
    ['user', { user: 'someone@example.com' }],
    ['trusted certificate', { trustedCertificate: 'AA:BB' }],
  ];
  for (const [what, change] of changes) {
    it(`is not handed out once the ${what} changed, and says what to do`, () => {
      const moved = { ...work, ...change };
      const result = passwordFor(moved, savedFor(work));
      assert.ok('refused' in result, `refused after a change of ${what}`);
      assert.equal(result.refused.code, 'password-needed');
      assert.match(result.refused.message, /^The server for Work changed to /);
      assert.match(result.refused.message, /enter the password to use there/);
      assert.ok(!result.refused.message.includes('hunter2'), 'the message never holds the password');
    });
  }

  it('says plainly when no password is saved', () => {
    const result = passwordFor(work, undefined);
    assert.ok('refused' in result);
    assert.equal(result.refused.code, 'password-needed');
    assert.match(result.refused.message, /No password is saved for Work/);
  });

  it('goes in clear text only to this machine, or to a server the user confirmed in Mailroom', () => {
    const plain = { ...work, security: 'none' as const, port: 143 };
    const refused = passwordFor(plain, savedFor(plain));
    assert.ok('refused' in refused);
    assert.equal(refused.refused.code, 'insecure');
    assert.match(refused.refused.message, /will not send the password for Work in clear text to imap\.example\.com/);
    assert.deepEqual(passwordFor(plain, savedFor(plain, 'hunter2', true)), { password: 'hunter2' });
    // A confirmation belongs to its server too: settings that move the account elsewhere lose it.
    const elsewhere = { ...plain, host: 'mail.attacker.example' };
    assert.equal(plaintextAllowed(elsewhere, savedFor(plain, 'hunter2', true).server), false);
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) {
      assert.equal(plaintextAllowed({ ...plain, host }, undefined), true, host);
    }
  });

  it('counts as local only loopback names and addresses', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '::1']) assert.equal(isLocalHost(host), true, host);
    for (const host of ['localhost.attacker.example', '127.0.0.1.attacker.example', '10.0.0.1', 'mail.example.com', '::ffff:127.0.0.1']) {
      assert.equal(isLocalHost(host), false, host);
    }
  });

  it('round-trips through SecretStorage text, and reads a bare password from before binding as legacy', () => {
    const text = encodeCredential('p"w{', bindingOf(work));
    assert.deepEqual(decodeCredential(text), JSON.parse(JSON.stringify({ v: 1, password: 'p"w{', server: bindingOf(work) })));
    assert.deepEqual(decodeCredential('hunter2'), { legacy: 'hunter2' });
    // A bare password that looks like JSON is still a bare password.
    assert.deepEqual(decodeCredential('{"v":2}'), { legacy: '{"v":2}' });
    assert.deepEqual(decodeCredential('{not json'), { legacy: '{not json' });
    assert.equal(decodeCredential(undefined), undefined);
  });
});

describe('A session asks for its password on every connect', () => {
  it('does not connect at all when the provider refuses, and shows why', async () => {
    // Something listens, so a connection attempt would be seen.
    const net = await import('node:net');
    let connections = 0;
    const listener = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    const port = await freePort();
    await new Promise<void>((resolve) => listener.listen(port, '127.0.0.1', resolve));
    try {
      const account: AccountConfig = { id: 'a', name: 'A', host: '127.0.0.1', port, security: 'none', user: 'alice' };
      const session = new AccountSession(account, async () => {
        const refused = passwordFor(account, savedFor({ ...account, port: port + 1 }));
        if ('refused' in refused) throw new MailError(refused.refused);
        return refused.password;
      }, { log: silentLog, pollInterval: 60 });
      await assert.rejects(session.connect());
      const state = session.connectionState;
      assert.ok(state.kind === 'failed', `failed, not ${state.kind}`);
      assert.match(state.error.message, /^The server for A changed to alice on 127\.0\.0\.1/);
      assert.equal(connections, 0);
      session.dispose();
    } finally {
      listener.close();
    }
  });
});
