/** Another mail client of the same user (a phone, webmail, Thunderbird), talking to a test server. */
import { ImapFlow } from 'imapflow';
import type { TestImapServer } from './session';

export async function otherClient(server: TestImapServer, user = 'alice'): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: server.host, port: server.port, secure: false, doSTARTTLS: false, auth: { user, pass: server.users[user] ?? '' }, logger: false,
  });
  // Without a listener, a socket error would crash the test process (imapflow #302).
  client.on('error', () => undefined);
  await client.connect();
  return client;
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
