/**
 * Messages read through the mirror: what the server shows is kept (bodies, within the cache's
 * budget). A kept copy is shown at once, online or not: a message's content never changes on the
 * server (RFC 3501 2.3.1.1: a UID names one message for its UIDVALIDITY), only its flags, which the
 * folder's sync and the reader's "mark as seen" take to the server afterwards. While the server
 * cannot be reached the copy is marked as an offline copy. A copy is only ever shown for the
 * UIDVALIDITY it was read under.
 */
import type { MailCache } from '../cache/mailCache';
import { isUnreachable } from '../imap/errors';
import type { MailLog } from '../imap/log';
import type { AccountConnections } from '../sync/accountConnections';
import { readMessage, type ReadMessage } from '../message/messageReader';

interface KeptBody extends ReadMessage {
  uidValidity?: string;
}

export async function readThroughCache(
  cache: MailCache | undefined,
  connections: AccountConnections,
  path: string,
  uid: number,
  uidValidity: string | undefined,
  log: MailLog,
): Promise<ReadMessage> {
  const kept = (offline: boolean): ReadMessage | undefined => {
    try {
      const body = cache?.body<KeptBody>(path, uid);
      const validity = uidValidity ?? cache?.folder(path)?.uidValidity;
      if (!body || (validity && body.uidValidity !== validity)) return undefined;
      return { content: offline ? { ...body.content, offlineCopy: true } : body.content, inlineImages: body.inlineImages };
    } catch (err) {
      log.warn(`cache: cannot read the kept copy of ${path} ${uid}: ${(err as Error).message}`);
      return undefined;
    }
  };
  // No waiting on the server, or on a connection attempt, for what is at hand.
  const atHand = kept(connections.connectionState.kind !== 'online');
  if (atHand) return atHand;
  let read: KeptBody;
  try {
    read = await connections.inFolder(path, async (client) => ({
      ...(await readMessage(client, path, uid)),
      uidValidity: client.mailbox ? String(client.mailbox.uidValidity) : undefined,
    }));
  } catch (err) {
    const copy = isUnreachable(err) ? kept(true) : undefined;
    if (copy) return copy;
    throw err;
  }
  try {
    cache?.putBody(path, uid, read);
  } catch (err) {
    log.warn(`cache: cannot keep ${path} ${uid}: ${(err as Error).message}`);
  }
  return { content: read.content, inlineImages: read.inlineImages };
}
