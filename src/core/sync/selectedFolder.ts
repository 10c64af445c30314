/**
 * The folder selected on a command connection: its state made current, its UIDs searched without
 * taking a failure for "none", its highest UID, its counts. Every function expects the caller to
 * hold the mailbox lock of `client` on that folder, and collects FETCH results before issuing the
 * next command (a command inside a fetch loop deadlocks imapflow, #159).
 */
import type { ImapFlow, MailboxObject } from 'imapflow';
import type { FetchBehindSelect } from '../imap/fetchBehindSelect';
import { execCommand } from '../imap/imapflowInternals';

export function selected(client: ImapFlow): MailboxObject {
  const mailbox = client.mailbox;
  if (!mailbox) {
    throw new Error('No folder is selected on this connection.');
  }
  return mailbox;
}

/** Selections made by the SELECT that granted the lock now held: the server has just told their state. */
const freshSelections = new WeakSet<MailboxObject>();
/** What each command connection had selected when its mailbox lock was last let go. */
const selectedAtRelease = new WeakMap<ImapFlow, MailboxObject | undefined>();

/**
 * Runs `work` with `path` selected, under the mailbox lock of `client`. Every lock of a command
 * connection is taken here, so a selection that differs from the one at the last release was made
 * by the SELECT that granted this lock (imapflow selects the lock's folder before it grants it).
 */
export async function holdingFolder<T>(
  client: ImapFlow,
  path: string,
  work: (client: ImapFlow, path: string, behind?: FetchBehindSelect) => Promise<T>,
  behindSelect?: (client: ImapFlow) => FetchBehindSelect | undefined,
): Promise<T> {
  // A command the work will need anyway, armed to go out with the SELECT this lock may send.
  const behind = behindSelect?.(client);
  let lock: Awaited<ReturnType<ImapFlow['getMailboxLock']>>;
  try {
    lock = await client.getMailboxLock(path);
  } finally {
    // Granted or refused, no later SELECT carries it (the answer to one that went out is read off
    // the stream still, whether anyone waits for it or not).
    behind?.disarm();
  }
  const granted = client.mailbox || undefined;
  if (granted && granted !== selectedAtRelease.get(client)) freshSelections.add(granted);
  try {
    return await work(client, lock.path, behind);
  } finally {
    const now = client.mailbox || undefined;
    if (granted) freshSelections.delete(granted);
    selectedAtRelease.set(client, now);
    lock.release();
  }
}

/**
 * A folder that was already selected on this connection may have changed since: NOOP lets the
 * server report EXISTS and EXPUNGE (RFC 3501 6.1.2) before we trust the counts. Right after the
 * SELECT that granted the lock there is nothing to ask: that answer is a round trip old.
 */
export async function refreshSelected(client: ImapFlow): Promise<void> {
  if (freshSelections.delete(selected(client))) return;
  let refused = false;
  try {
    const response = await execCommand(client, 'NOOP', [], {
      untagged: { NO: async () => void (refused = true) },
    });
    response.next();
  } catch (err) {
    if (client.usable) throw err;
  }
  // A connection that died under the NOOP leaves the state unknown, not unchanged.
  if (!client.usable) {
    throw new Error('The connection closed while checking the folder for changes.');
  }
  const path = selected(client).path;
  if (refused) {
    // The server can no longer serve the selection (Dovecot says `* NO` once the folder was deleted
    // under it, and never tells of the folder made again in its place): select it anew, which
    // reports its UIDVALIDITY now (RFC 3501 6.3.1).
    await client.mailboxClose();
    await client.mailboxOpen(path);
  }
}

/**
 * The UIDs of `range` that exist. imapflow answers a failed SEARCH with false: taken for "none", it
 * would make every message of the window look expunged, so it is an error here.
 */
export async function searchUids(client: ImapFlow, range: string): Promise<number[]> {
  const found = await client.search({ uid: range }, { uid: true });
  if (!found) {
    throw new Error(`The server did not answer UID SEARCH ${range} in ${client.mailbox ? client.mailbox.path : 'the folder'}.`);
  }
  return found;
}

/** One past the highest UID of `messages`, or 0 for none; a loop, since spreading 100,000 UIDs into Math.max overflows the stack. */
export function uidAfter(messages: readonly { uid: number }[]): number {
  let next = 0;
  for (const m of messages) {
    if (m.uid + 1 > next) {
      next = m.uid + 1;
    }
  }
  return next;
}

/**
 * UIDNEXT is optional in the SELECT response (RFC 3501 7.3.1, 6.3.1: Courier leaves it out), and
 * STATUS must not ask for it on the selected folder (6.3.10). The highest UID plus one is a safe
 * stand-in: `UID FETCH *` names the highest UID (6.4.8); an empty folder can only get UIDs from 1.
 */
export async function highestUidPlusOne(client: ImapFlow): Promise<number> {
  if (selected(client).exists === 0) {
    return 1;
  }
  const last = await client.fetchOne('*', { uid: true });
  if (!last || !Number.isInteger(last.uid)) {
    throw new Error('The server did not say which UID its newest message has.');
  }
  return last.uid + 1;
}

/**
 * Counts of the folder selected on `client`, from the selection itself: STATUS should not be used
 * on the selected folder (RFC 3501 6.3.10), and imapflow would rewrite the selection's state from it.
 */
export async function countSelected(client: ImapFlow): Promise<{ path: string; messages: number; unseen: number; uidValidity: string }> {
  await refreshSelected(client);
  const mailbox = selected(client);
  const unseen = mailbox.exists > 0 ? await client.search({ seen: false }, { uid: true }) : [];
  if (!unseen) {
    throw new Error(`The server refused to search ${mailbox.path} for unread mail.`);
  }
  return { path: mailbox.path, messages: mailbox.exists, unseen: unseen.length, uidValidity: mailbox.uidValidity.toString() };
}
