/**
 * Protocol work on one selected folder: the newest page, older pages, previews, and the catch-up
 * of a loaded window. Every function expects the caller to hold the mailbox lock of `client` on
 * that folder, and collects FETCH results before issuing the next command (a command inside a fetch
 * loop deadlocks imapflow, #159).
 */
import type { ImapFlow, MailboxObject } from 'imapflow';
import { LoadedFolder, type FolderChange } from '../model/loadedFolder';
import { fetchPreviews } from '../imap/previews';
import { SUMMARY_QUERY, toFlags, toMessageSummary } from './summaries';
import type { MessageFlags, MessageSummary } from '../model/types';

function selected(client: ImapFlow): MailboxObject {
  const mailbox = client.mailbox;
  if (!mailbox) {
    throw new Error('No folder is selected on this connection.');
  }
  return mailbox;
}

/**
 * A folder that was already selected on this connection may have changed since: NOOP lets the
 * server report EXISTS and EXPUNGE (RFC 3501 6.1.2) before we trust the counts.
 */
async function refreshSelected(client: ImapFlow): Promise<void> {
  let refused = false;
  try {
    const response = await (client as unknown as NoopInternals).exec('NOOP', [], {
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

/** imapflow's `exec`, for a NOOP whose untagged NO tells that the selection went stale. */
interface NoopInternals {
  exec(command: string, attributes: unknown[], options: { untagged: Record<string, () => Promise<void>> }): Promise<{ next(): void }>;
}

/**
 * The UIDs of `range` that exist. imapflow answers a failed SEARCH with false: taken for "none", it
 * would make every message of the window look expunged, so it is an error here.
 */
async function searchUids(client: ImapFlow, range: string): Promise<number[]> {
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
async function highestUidPlusOne(client: ImapFlow): Promise<number> {
  if (selected(client).exists === 0) {
    return 1;
  }
  const last = await client.fetchOne('*', { uid: true });
  if (!last || !Number.isInteger(last.uid)) {
    throw new Error('The server did not say which UID its newest message has.');
  }
  return last.uid + 1;
}

/** Summaries of `range`, leaving out UIDs outside [minUid, maxUid]. Previews come later (`loadPreviews`). */
async function fetchSummaries(client: ImapFlow, range: string, byUid: boolean, minUid = 0, maxUid = Number.MAX_SAFE_INTEGER): Promise<MessageSummary[]> {
  const mailbox = selected(client);
  const uidValidity = mailbox.uidValidity.toString();
  const fetched = await client.fetchAll(range, SUMMARY_QUERY, { uid: byUid });
  return fetched.filter((m) => m.uid >= minUid && m.uid <= maxUid).map((m) => toMessageSummary(m, mailbox.path, uidValidity));
}

/** The newest `pageSize` messages, by sequence number: the highest sequence numbers are the newest UIDs. */
export async function loadNewestPage(client: ImapFlow, pageSize: number): Promise<LoadedFolder> {
  await refreshSelected(client);
  const mailbox = selected(client);
  const announced = Number.isInteger(mailbox.uidNext) && mailbox.uidNext > 0 ? mailbox.uidNext : 0;
  const folder = new LoadedFolder(mailbox.path, mailbox.uidValidity.toString(), announced);
  folder.modseq = mailbox.noModseq ? undefined : mailbox.highestModseq;
  if (mailbox.exists > 0) {
    const first = Math.max(1, mailbox.exists - pageSize + 1);
    // `first:*` always reaches the newest message, so the page also tells the highest UID.
    const page = await fetchSummaries(client, `${first}:*`, false);
    folder.addPage(page);
    folder.uidNext = Math.max(folder.uidNext, uidAfter(page));
    folder.hasOlder = first > 1;
  }
  if (!announced && folder.size === 0) {
    folder.uidNext = await highestUidPlusOne(client);
  }
  return folder;
}

/** The `pageSize` messages just below the oldest loaded one. */
export async function loadOlderPage(client: ImapFlow, folder: LoadedFolder, pageSize: number): Promise<MessageSummary[]> {
  const oldest = folder.oldestUid;
  if (oldest === undefined) {
    return [];
  }
  // UID FETCH answers with the message's sequence number, which tells where the window ends.
  const anchor = await client.fetchOne(String(oldest), { uid: true }, { uid: true });
  const oldestSeq = anchor ? anchor.seq : await seqBelowUid(client, oldest);
  if (oldestSeq <= 1) {
    folder.hasOlder = false;
    return [];
  }
  const first = Math.max(1, oldestSeq - pageSize);
  const page = await fetchSummaries(client, `${first}:${oldestSeq - 1}`, false, 0, oldest - 1);
  folder.addPage(page);
  folder.hasOlder = first > 1;
  return page;
}

/** When the oldest loaded message is gone, count what lies below it (RFC 3501 6.4.4). */
async function seqBelowUid(client: ImapFlow, uid: number): Promise<number> {
  if (uid <= 1) {
    return 1;
  }
  return (await searchUids(client, `1:${uid - 1}`)).length + 1;
}

/** Fetches previews for messages of the window that have none yet. */
export async function loadPreviews(client: ImapFlow, folder: LoadedFolder, uids: readonly number[]): Promise<MessageSummary[]> {
  const wanted = uids.filter((uid) => {
    const summary = folder.get(uid);
    return summary !== undefined && summary.preview === undefined;
  });
  return folder.setPreviews(await fetchPreviews(client, wanted));
}

/**
 * Brings a loaded window up to date with the server: which of its UIDs remain (one SEARCH line),
 * which flags changed (only those, with CONDSTORE's CHANGEDSINCE, RFC 7162 3.1.4), and what arrived
 * above the known UIDNEXT. A changed UIDVALIDITY voids the window (RFC 3501 2.3.1.1).
 */
export async function catchUp(client: ImapFlow, folder: LoadedFolder, pageSize: number): Promise<FolderChange> {
  await refreshSelected(client);
  const mailbox = selected(client);
  if (mailbox.uidValidity.toString() !== folder.uidValidity) {
    const fresh = await loadNewestPage(client, pageSize);
    folder.clear();
    folder.uidValidity = fresh.uidValidity;
    folder.uidNext = fresh.uidNext;
    folder.modseq = fresh.modseq;
    folder.addPage(fresh.messages());
    folder.hasOlder = fresh.hasOlder;
    return { folder: folder.path, added: folder.messages(), changed: [], removed: [], reset: true };
  }

  const bottom = folder.oldestUid ?? folder.uidNext;
  // `n:*` always includes the highest UID even when it is below n (RFC 3501 6.4.8): filter.
  const found = mailbox.exists > 0 ? (await searchUids(client, `${bottom}:*`)).filter((uid) => uid >= bottom) : [];
  const present = new Set(found);
  const newUids = found.filter((uid) => uid >= folder.uidNext);

  const flags = new Map<number, MessageFlags>();
  const lastKnown = folder.uidNext - 1;
  // The MODSEQ marker moves only once the changes up to it are in the window (RFC 7162 3.1.4.1):
  // a catch-up cut short after its FETCH must not make the next one skip what this one never applied.
  let modseq = folder.modseq;
  if (folder.size > 0 && lastKnown >= bottom) {
    const changedSince = folder.modseq && !mailbox.noModseq ? folder.modseq : undefined;
    const fetched = await client.fetchAll(`${bottom}:${lastKnown}`, { uid: true, flags: true }, { uid: true, changedSince });
    for (const m of fetched) {
      flags.set(m.uid, toFlags(m.flags ?? new Set()));
      if (m.modseq && (!modseq || m.modseq > modseq)) {
        modseq = m.modseq;
      }
    }
  }

  const arrived = newUids.length ? await fetchSummaries(client, newUids.join(','), true, folder.uidNext) : [];
  // Only what was fetched moves the marker (a message that vanished before the FETCH is not lost).
  folder.uidNext = Math.max(folder.uidNext, uidAfter(arrived));
  const change = folder.reconcile({ present, flags, arrived });
  folder.modseq = modseq;
  if (folder.size === 0) {
    folder.hasOlder = false;
  }
  return change;
}

/**
 * Counts of the folder selected on `client`, from the selection itself: STATUS should not be used
 * on the selected folder (RFC 3501 6.3.10), and imapflow would rewrite the selection's state from it.
 */
export async function countSelected(client: ImapFlow): Promise<{ path: string; messages: number; unseen: number }> {
  await refreshSelected(client);
  const mailbox = selected(client);
  const unseen = mailbox.exists > 0 ? await client.search({ seen: false }, { uid: true }) : [];
  if (!unseen) {
    throw new Error(`The server refused to search ${mailbox.path} for unread mail.`);
  }
  return { path: mailbox.path, messages: mailbox.exists, unseen: unseen.length };
}
