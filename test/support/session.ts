/** An AccountSession for alice on a test Dovecot, over plain IMAP on loopback. */
import { AccountSession, type SessionOptions } from '../../src/core/accountSession';
import { silentLog } from '../../src/core/log';
import type { DovecotServer } from './dovecot';

export function aliceSession(server: DovecotServer, options: Partial<SessionOptions> = {}): AccountSession {
  return new AccountSession(
    { id: 'alice', name: 'Alice', host: '127.0.0.1', port: server.port, security: 'none', user: 'alice' },
    server.users.alice ?? 'secret',
    { log: silentLog, pollInterval: 60, ...options },
  );
}
