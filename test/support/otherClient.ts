/** Another mail client of the same user (a phone, webmail, Thunderbird), talking to a test server. */
import { ImapFlow } from 'imapflow';
import type { TestImapServer } from './session';

export async function otherClient(server: TestImapServer, user = 'alice'): Promise<ImapFlow> {
  if (server.users[user] === undefined) throw new Error(`the test server has no user '${user}' (users: ${Object.keys(server.users).join(', ')})`);
  // doSTARTTLS false: this is a loopback helper, and a self-signed certificate would be refused.
  const client = new ImapFlow({
    host: server.host, port: server.port, secure: false, doSTARTTLS: false, auth: { user, pass: server.users[user] ?? '' }, logger: false,
  });
  // Without a listener, a socket error would crash the test process (imapflow #302).
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Runs `work` on a connection of its own as `user`, logged out afterwards whatever happens. */
export async function withOtherClient<T>(server: TestImapServer, user: string, work: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = await otherClient(server, user);
  try {
    return await work(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** The flags the server holds for one message, as any client would see them. */
export async function flagsOnServer(server: TestImapServer, folder: string, uid: number, user = 'alice'): Promise<string[]> {
  const client = await otherClient(server, user);
  try {
    await client.mailboxOpen(folder, { readOnly: true });
    const message = await client.fetchOne(String(uid), { flags: true }, { uid: true });
    if (!message) throw new Error(`no message with UID ${uid} in ${folder}`);
    return [...(message.flags ?? [])].sort();
  } finally {
    await client.logout().catch(() => client.close());
  }
}
