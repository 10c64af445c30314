/**
 * Protocol work on one selected folder: the newest page, older pages, previews, and the catch-up
 * of a loaded window. Every function expects the caller to hold the mailbox lock of `client` on
 * that folder, and collects FETCH results before issuing the next command (a command inside a fetch
 * loop deadlocks imapflow, #159).
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

/**
 * A folder that was already selected on this connection may have changed since: NOOP lets the
 * server report EXISTS and EXPUNGE (RFC 3501 6.1.2) before we trust the counts.
 */
async function refreshSelected(client: ImapFlow): Promise<void> {
  await client.noop();
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
  const folder = new LoadedFolder(mailbox.path, mailbox.uidValidity.toString(), mailbox.uidNext);
  folder.modseq = mailbox.noModseq ? undefined : mailbox.highestModseq;
  if (mailbox.exists > 0) {
    const first = Math.max(1, mailbox.exists - pageSize + 1);
    const page = await fetchSummaries(client, `${first}:*`, false);
    folder.addPage(page);
    folder.uidNext = Math.max(folder.uidNext, ...page.map((m) => m.uid + 1));
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
  const found = mailbox.exists > 0 ? ((await client.search({ uid: `${bottom}:*` }, { uid: true })) || []).filter((uid) => uid >= bottom) : [];
  const present = new Set(found);
  const newUids = found.filter((uid) => uid >= folder.uidNext);

  const flags = new Map<number, MessageFlags>();
  const lastKnown = folder.uidNext - 1;
  if (folder.size > 0 && lastKnown >= bottom) {
    const changedSince = folder.modseq && !mailbox.noModseq ? folder.modseq : undefined;
    const fetched = await client.fetchAll(`${bottom}:${lastKnown}`, { uid: true, flags: true }, { uid: true, changedSince });
    for (const m of fetched) {
      flags.set(m.uid, toFlags(m.flags ?? new Set()));
      if (m.modseq && (!folder.modseq || m.modseq > folder.modseq)) {
        folder.modseq = m.modseq;
      }
    }
  }

  const arrived = newUids.length ? await fetchSummaries(client, newUids.join(','), true, folder.uidNext) : [];
  folder.uidNext = Math.max(folder.uidNext, ...arrived.map((m) => m.uid + 1));
  const change = folder.reconcile({ present, flags, arrived });
  if (folder.size === 0) {
    folder.hasOlder = false;
  }
  return change;
}
