/**
 * Messages read through the mirror: what the server shows is kept (bodies, within the cache's
 * budget), and while the server cannot be reached the kept copy is shown instead, marked as an
 * offline copy. A copy is only ever shown for the UIDVALIDITY it was read under (RFC 3501 2.3.1.1).
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
  const kept = (): ReadMessage | undefined => {
    try {
      const body = cache?.body<KeptBody>(path, uid);
      if (!body || (uidValidity && body.uidValidity !== uidValidity)) return undefined;
      return { content: { ...body.content, offlineCopy: true }, inlineImages: body.inlineImages };
    } catch (err) {
      log.warn(`cache: cannot read the kept copy of ${path} ${uid}: ${(err as Error).message}`);
      return undefined;
    }
  };
  if (connections.connectionState.kind !== 'online') {
    // No waiting on a connection attempt for what is at hand.
    const copy = kept();
    if (copy) return copy;
  }
  let read: KeptBody;
  try {
    read = await connections.inFolder(path, async (client) => ({
      ...(await readMessage(client, path, uid)),
      uidValidity: client.mailbox ? String(client.mailbox.uidValidity) : undefined,
    }));
  } catch (err) {
    const copy = isUnreachable(err) ? kept() : undefined;
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
