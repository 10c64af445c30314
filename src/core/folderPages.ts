/**
 * Protocol work on one selected folder: the newest page, older pages and the catch-up of a loaded
 * window. Every function expects the caller to hold the mailbox lock of `client` on that folder, and
 * collects FETCH results before issuing the next command (a command inside a fetch loop deadlocks
 * imapflow, #159).
 */
import type { ImapFlow, MailboxObject } from 'imapflow';
import { LoadedFolder, type FolderChange } from './loadedFolder';
import { fetchPreviews } from './previews';
import { SUMMARY_QUERY, toFlags, toMessageSummary } from './summaries';
import type { MessageFlags, MessageSummary } from './types';

function selected(client: ImapFlow): MailboxObject {
  const mailbox = client.mailbox;
  if (!mailbox) {
    throw new Error('No folder is selected on this connection.');
  }
  return mailbox;
}

/** Summaries of `range`, leaving out UIDs outside [minUid, maxUid] before previews are asked for. */
async function fetchSummaries(client: ImapFlow, range: string, byUid: boolean, minUid = 0, maxUid = Number.MAX_SAFE_INTEGER): Promise<MessageSummary[]> {
  const mailbox = selected(client);
  const uidValidity = mailbox.uidValidity.toString();
  const fetched = (await client.fetchAll(range, SUMMARY_QUERY, { uid: byUid })).filter((m) => m.uid >= minUid && m.uid <= maxUid);
  const summaries = fetched.map((m) => toMessageSummary(m, mailbox.path, uidValidity));
  const previews = await fetchPreviews(client, summaries.map((s) => s.uid));
  for (const s of summaries) {
    s.preview = previews.get(s.uid);
  }
  return summaries;
}

/**
 * A folder that was already selected on this connection may have changed since: NOOP lets the
 * server report EXISTS and EXPUNGE (RFC 3501 6.1.2) before we trust the counts.
 */
async function refreshSelected(client: ImapFlow): Promise<void> {
  await client.noop();
}

/** The newest `pageSize` messages, by sequence number: the highest sequence numbers are the newest UIDs. */
export async function loadNewestPage(client: ImapFlow, pageSize: number): Promise<LoadedFolder> {
  await refreshSelected(client);
  const mailbox = selected(client);
  const folder = new LoadedFolder(mailbox.path, mailbox.uidValidity.toString(), mailbox.uidNext);
  if (mailbox.exists > 0) {
    const first = Math.max(1, mailbox.exists - pageSize + 1);
    folder.addPage(await fetchSummaries(client, `${first}:*`, false));
    folder.hasOlder = first > 1;
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
  const below = await client.search({ uid: `1:${uid - 1}` }, { uid: true });
  return (below ? below.length : 0) + 1;
}

/**
 * Brings a loaded window up to date with the server: new messages above the known UIDNEXT, flag
 * changes and removals inside the window. A changed UIDVALIDITY voids the window (RFC 3501 2.3.1.1).
 */
export async function catchUp(client: ImapFlow, folder: LoadedFolder, pageSize: number): Promise<FolderChange> {
  await refreshSelected(client);
  const mailbox = selected(client);
  if (mailbox.uidValidity.toString() !== folder.uidValidity) {
    const fresh = await loadNewestPage(client, pageSize);
    folder.clear();
    folder.uidValidity = fresh.uidValidity;
    folder.uidNext = fresh.uidNext;
    folder.addPage(fresh.messages());
    folder.hasOlder = fresh.hasOlder;
    return { folder: folder.path, added: folder.messages(), changed: [], removed: [], reset: true };
  }

  const present = new Map<number, MessageFlags>();
  const oldest = folder.oldestUid;
  let lowestSeq = Number.POSITIVE_INFINITY;
  if (oldest !== undefined && mailbox.exists > 0) {
    const lastKnown = Math.max(oldest, folder.uidNext - 1);
    for (const m of await client.fetchAll(`${oldest}:${lastKnown}`, { uid: true, flags: true }, { uid: true })) {
      present.set(m.uid, toFlags(m.flags ?? new Set()));
      lowestSeq = Math.min(lowestSeq, m.seq);
    }
  }

  let arrived: MessageSummary[] = [];
  if (mailbox.exists > 0) {
    // A connection that stays selected learns of new mail through EXISTS but not of the new UIDNEXT,
    // so ask by UID. `n:*` always includes the last message even when its UID is below n
    // (RFC 3501 6.4.8): filter.
    arrived = await fetchSummaries(client, `${folder.uidNext}:*`, true, folder.uidNext);
    for (const m of arrived) {
      present.set(m.uid, m.flags);
    }
  }
  folder.uidNext = Math.max(folder.uidNext, mailbox.uidNext, ...arrived.map((m) => m.uid + 1));
  const change = folder.reconcile(present, arrived);
  if (oldest !== undefined && Number.isFinite(lowestSeq)) {
    folder.hasOlder = lowestSeq > 1;
  } else if (oldest === undefined) {
    folder.hasOlder = false;
  }
  return change;
}
