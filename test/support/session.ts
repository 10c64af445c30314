/** An AccountSession on a test server (Dovecot or Cyrus), over plain IMAP on loopback. */
import { AccountSession, type SessionOptions } from '../../src/core/account/accountSession';
import { silentLog } from '../../src/core/imap/log';

/** What a session needs of a test server; DovecotServer and CyrusServer both have it. */
export interface TestImapServer {
  host: string;
  port: number;
  users: Record<string, string>;
}

export function userSession(server: TestImapServer, user: string, options: Partial<SessionOptions> = {}): AccountSession {
  const password = server.users[user];
  if (password === undefined) throw new Error(`the test server has no user '${user}' (users: ${Object.keys(server.users).join(', ')})`);
  return new AccountSession(
    { id: user, name: user[0].toUpperCase() + user.slice(1), host: server.host, port: server.port, security: 'none', user },
    password,
    { log: silentLog, pollInterval: 60, ...options },
  );
}

export function aliceSession(server: TestImapServer, options: Partial<SessionOptions> = {}): AccountSession {
  return userSession(server, 'alice', options);
}
