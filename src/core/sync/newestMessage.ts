/**
 * The newest message of a folder that is not open, read on the command connection: its UID, flags,
 * sender and subject, for a new-mail notification about a folder the tree does not show ("4 new
 * messages in Inbox: Dana Demo, "Deploy failed""). Nothing is opened or mirrored, and the listening
 * connection idles where it was.
 *
 * Two small commands behind the SELECT: `FETCH * (UID FLAGS)` names the newest message (`*` is the
 * highest sequence number, RFC 3501 9 seq-number), and only a message the mirror does not hold is
 * asked for its ENVELOPE (6.4.5). Sender and subject are read as the tree's rows read them.
 */
import type { ImapFlow } from 'imapflow';
import type { MailCache } from '../cache/mailCache';
import type { MessageSummary } from '../model/types';
import { refreshSelected, selected } from './selectedFolder';
import { toFlags, toMessageSummary } from './summaries';

/** What a notification names of the newest message; `uidValidity` tells which folder its UID counts in (RFC 3501 2.3.1.1). */
export type NewestMessage = Pick<MessageSummary, 'uid' | 'uidValidity' | 'folder' | 'from' | 'subject' | 'flags'>;

/**
 * The newest message of the folder selected on `client` (the caller holds its mailbox lock), from
 * `cache` where the mirror holds that UID of the same UIDVALIDITY; undefined when the folder is empty.
 */
export async function readNewestMessage(client: ImapFlow, cache: MailCache | undefined): Promise<NewestMessage | undefined> {
  // A folder already selected on this connection may have had mail since: let the server say so first.
  await refreshSelected(client);
  const mailbox = selected(client);
  if (mailbox.exists === 0) return undefined;
  const path = mailbox.path;
  const uidValidity = mailbox.uidValidity.toString();
  const last = await client.fetchOne('*', { uid: true, flags: true });
  if (!last || !Number.isInteger(last.uid)) throw new Error(`The server did not say which message of ${path} is the newest.`);
  const flags = toFlags(last.flags ?? new Set());
  const kept = cache?.folder(path)?.uidValidity === uidValidity ? cache.message(path, last.uid) : undefined;
  if (kept) return { uid: last.uid, uidValidity, folder: path, from: kept.from, subject: kept.subject, flags };
  const head = await client.fetchOne(String(last.uid), { uid: true, envelope: true }, { uid: true });
  // Gone between the two commands (expunged elsewhere): not known, which is not "no message".
  if (!head) throw new Error(`The newest message of ${path} was removed while it was read.`);
  const { from, subject } = toMessageSummary(head, path, uidValidity);
  return { uid: last.uid, uidValidity, folder: path, from, subject, flags };
}
