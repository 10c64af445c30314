/**
 * The mirror of one folder, kept by the server's own change markers. `syncMirror` brings what is
 * stored in line with the server: QRESYNC (RFC 7162 3.2.6: UID FETCH with CHANGEDSINCE and VANISHED),
 * else CONDSTORE CHANGEDSINCE plus a UID SEARCH for what is gone, else every UID's FLAGS; then what
 * arrived above the stored UIDNEXT, as one UID range. `fillMirror` stores older summaries below what
 * is stored, newest first, one chunk at a time, so a folder becomes whole in the background and the
 * work resumes where it stopped after a restart.
 *
 * Every function expects the caller to hold the mailbox lock of `client` on the folder. The changes
 * of a step and the markers that cover them are stored in one transaction: a marker is never ahead
 * of what is stored, and a step cut short stores nothing (a failed command is never taken for an
 * empty answer, so a drop cannot remove a message the server still has).
 */
import type { ExpungeEvent, ImapFlow } from 'imapflow';
import type { CachedMessage } from '../cache/rows';
import type { FlagUpdate, MailCache } from '../cache/mailCache';
import { refreshSelected, searchUids, selected, highestUidPlusOne, uidAfter } from './selectedFolder';
import { bulkFetch, type BulkFetchResult } from '../imap/bulkFetch';
import { fetchAhead, type FetchAhead } from '../imap/fetchAhead';
import { fetchBehindSelect, type FetchBehindSelect } from '../imap/fetchBehindSelect';
import type { SummaryLine } from '../imap/fetchLine';
import { EXTRA_HEADERS, keywordsOf, SUMMARY_QUERY, toCachedMessage, toFlags } from './summaries';
import { checkPath, fillRange, isMirrored, markersAfter, startsAnew, syncedFromAfter, type SyncPath } from './mirrorPlan';

/** What one sync step changed in the mirror of a folder. */
export interface MirrorChange {
  /** The mirror started anew (first sync, or UIDVALIDITY changed, RFC 3501 2.3.1.1): all shown before is void. */
  reset: boolean;
  removed: number[];
  /** UIDs whose flags changed. */
  changed: number[];
  added: number[];
  /** How the known part was checked (which depends on the server), or `first` for a first page. */
  how: SyncPath;
  /** The folder's count as the selection tells it after the sync: fresher than any STATUS. */
  status: { messages: number; highestModseq?: string; uidValidity?: string };
  /** A first page: its summaries (the folder's whole mirror) and the markers stored with them (see `unstored`). */
  firstPage?: { messages: CachedMessage[]; uidValidity: string; uidNext: number; syncedFrom: number };
  /** Where the fill's first chunk ends, learnt from the first page's sequence numbers: no round trip to find it. */
  fillHint?: FillHint;
  /**
   * A first page asked for with `storeLater`, not stored yet: storing it (summaries and markers in
   * one transaction) is the caller's, right after the page is shown.
   */
  unstored?: () => void;
}

export interface SyncOptions {
  /** Summaries per first page. */
  pageSize: number;
  /** The newest page, asked for with the SELECT (`firstPageBehindSelect`), if it was. */
  behind?: FetchBehindSelect;
  /** A first page is left for the caller to store (`MirrorChange.unstored`), so it can be shown first. */
  storeLater?: boolean;
}

/** How the known part of a folder was checked: the path taken depends on the server. */
export type { SyncPath } from './mirrorPlan';

/**
 * For a folder the mirror has never held: arms `client` to ask for the newest page right behind
 * the SELECT, from the count the folder list knows (`syncMirror` checks the answer against the
 * SELECT's). Undefined when the folder is mirrored (its sync asks other things) or its count unknown.
 */
export function firstPageBehindSelect(client: ImapFlow, cache: MailCache, path: string, pageSize: number, count: number | undefined): FetchBehindSelect | undefined {
  if (!count || count < 1 || isMirrored(cache.folder(path))) return undefined;
  return fetchBehindSelect(client, path, `${Math.max(1, count - pageSize + 1)}:*`, { headerFields: EXTRA_HEADERS });
}


/** Brings the mirror of the folder selected on `client` in line with the server. */
export async function syncMirror(client: ImapFlow, cache: MailCache, options: SyncOptions): Promise<MirrorChange> {
  // Before any other command: its lines must not be taken for the page's.
  const early = await options.behind?.result();
  // Expunges the server tells of meanwhile (VANISHED carries UIDs) count too, even those the NOOP brings.
  const path = selected(client).path;
  const reported: number[] = [];
  const change = await whileListening(client, path, reported, () => syncSelected(client, cache, options, reported, early));
  return change;
}

async function syncSelected(client: ImapFlow, cache: MailCache, options: SyncOptions, reported: readonly number[], early?: BulkFetchResult): Promise<MirrorChange> {
  await refreshSelected(client);
  const mailbox = selected(client);
  const path = mailbox.path;
  const uidValidity = mailbox.uidValidity.toString();
  const stored = cache.folder(path);
  if (!isMirrored(stored) || startsAnew(stored, uidValidity)) {
    return firstPage(client, cache, options, early);
  }
  // HIGHESTMODSEQ now, before any FETCH: every change up to it is fetched below, so it may become the marker.
  const modseqNow = mailbox.noModseq ? undefined : mailbox.highestModseq;
  const storedModseq = stored.highestModseq ? BigInt(stored.highestModseq) : undefined;
  const bottom = stored.syncedFrom;
  const lastKnown = stored.uidNext - 1;

  let removed: number[] = [];
  const updates: FlagUpdate[] = [];
  const syncPath = checkPath(storedModseq, modseqNow, client.enabled.has('QRESYNC'));
  /**
   * With CHANGEDSINCE over `bottom:*`, new messages come in the same answer (each has a MODSEQ above
   * the marker, RFC 7162 3.1.1): their UIDs, or none, are known without another round trip.
   */
  let newUids: number[] | undefined;
  if (lastKnown >= bottom && cache.highestUid(path) !== undefined) {
    const range = `${bottom}:${lastKnown}`;
    const toUpdate = (m: { uid: number; flags?: Set<string>; modseq?: bigint }) => {
      if (newUids && m.uid >= stored.uidNext) newUids.push(m.uid);
      else if (m.uid >= bottom && m.uid <= lastKnown) updates.push({ uid: m.uid, flags: toFlags(m.flags ?? new Set()), keywords: keywordsOf(m.flags), modseq: m.modseq?.toString() });
    };
    if (mailbox.exists === 0) {
      removed = cache.uids(path, bottom, lastKnown);
    } else if (syncPath === 'qresync') {
      // VANISHED (EARLIER) tells every UID of the range expunged since the marker, reported before or not.
      newUids = [];
      for (const m of await client.fetchAll(`${bottom}:*`, { uid: true, flags: true }, { uid: true, changedSince: storedModseq })) toUpdate(m);
      removed = reported.filter((uid) => uid >= bottom && uid <= lastKnown);
    } else if (syncPath === 'condstore') {
      newUids = [];
      for (const m of await client.fetchAll(`${bottom}:*`, { uid: true, flags: true }, { uid: true, changedSince: storedModseq })) toUpdate(m);
      const present = new Set(await searchUids(client, range));
      removed = cache.missing(path, bottom, lastKnown, present);
    } else {
      const present = new Set<number>();
      for (const m of await client.fetchAll(range, { uid: true, flags: true }, { uid: true })) {
        present.add(m.uid);
        toUpdate(m);
      }
      removed = cache.missing(path, bottom, lastKnown, present);
    }
  }

  const arrived = !newUids ? await fetchArrived(client, stored.uidNext) : newUids.length ? await fetchArrived(client, lowest(newUids)!) : [];
  let changed: number[] = [];
  cache.transaction(() => {
    cache.removeMessages(path, removed);
    changed = cache.setFlags(path, updates);
    cache.putMessages(path, arrived);
    cache.saveFolder({ path, ...markersAfter(stored, arrived.map((m) => m.uid), modseqNow), mirrored: true });
  });
  return { reset: false, removed, changed, added: arrived.map((m) => m.uid), how: syncPath, status: statusOf(client) };
}

/** Where the next chunk of a fill ends, learnt from the last one: saves a round trip per chunk. */
export interface FillHint {
  uidValidity: string;
  /** The stored UID the hint is for (the oldest stored when the last chunk was stored). */
  anchorUid: number;
  /** Its sequence number then. Sequence numbers only move down (EXPUNGE; new mail goes on top), so a
   * stale hint makes chunks overlap what is stored, never skip a message. */
  anchorSeq: number;
}

/** How a fill step may go on past its first chunk. */
export interface FillOptions {
  /** Where the first chunk ends, learnt from the last step. */
  hint?: FillHint;
  /**
   * Asked once a chunk is fetched: whether the next may be asked for at once, to arrive while this
   * one is stored (`imap/fetchAhead.ts`). The step then stores it too; false when anything else
   * waits for the folder or the connection.
   */
  goOn?: () => boolean;
  /** Called after each chunk is stored. */
  onStored?: () => void;
}

/**
 * Stores up to `chunk` summaries just below the oldest stored one, by sequence numbers anchored on
 * that UID; more chunks while `goOn` says so, each asked for while the last is stored, each stored
 * with its marker in a transaction of its own. Says whether the folder is now whole, and where the
 * next chunk ends.
 */
export async function fillMirror(client: ImapFlow, cache: MailCache, chunk: number, options: FillOptions = {}): Promise<{ added: number; whole: boolean; hint?: FillHint }> {
  const mailbox = selected(client);
  const path = mailbox.path;
  const stored = cache.folder(path);
  const uidValidity = mailbox.uidValidity.toString();
  if (!stored || stored.uidValidity !== uidValidity || stored.syncedFrom === undefined) {
    // Not synced yet, or UIDVALIDITY changed: the next sync starts the mirror anew.
    return { added: 0, whole: false };
  }
  if (stored.syncedFrom <= 1) return { added: 0, whole: true };
  let anchorUid = stored.syncedFrom;
  const hint = options.hint;
  let anchorSeq: number;
  if (hint && hint.uidValidity === uidValidity && hint.anchorUid === anchorUid) {
    anchorSeq = hint.anchorSeq;
  } else {
    // UID FETCH answers with the message's sequence number, which tells where the stored part starts.
    const anchor = await client.fetchOne(String(anchorUid), { uid: true }, { uid: true });
    anchorSeq = anchor ? anchor.seq : (await searchUids(client, `1:${anchorUid - 1}`)).filter((uid) => uid < anchorUid).length + 1;
  }
  let range = fillRange(anchorSeq, chunk);
  if (!range) {
    cache.saveFolder({ path, syncedFrom: 1 });
    return { added: 0, whole: true };
  }
  let ahead: FetchAhead | undefined;
  let added = 0;
  try {
    for (;;) {
      const below = anchorUid;
      const rows = (await chunkOf(client, range, ahead)).filter((m) => m.uid < below);
      ahead = undefined;
      let lowest: { uid: number; seq: number } | undefined;
      for (const m of rows) if (!lowest || m.uid < lowest.uid) lowest = { uid: m.uid, seq: m.seq };
      const syncedFrom = syncedFromAfter(range.first, rows.map((m) => m.uid), anchorUid);
      const next = lowest && syncedFrom > 1 ? { uidValidity, anchorUid: lowest.uid, anchorSeq: lowest.seq } : undefined;
      const nextRange = next && options.goOn?.() ? fillRange(next.anchorSeq, chunk) : undefined;
      // Asked for before this chunk is stored: the server sends it meanwhile.
      if (nextRange) ahead = fetchAhead(client, `${nextRange.first}:${nextRange.last}`, { headerFields: EXTRA_HEADERS });
      const page = rows.map((m) => toCachedMessage(m, path, uidValidity));
      cache.transaction(() => {
        cache.putMessages(path, page);
        cache.saveFolder({ path, syncedFrom });
      });
      added += page.length;
      options.onStored?.();
      if (!ahead || !next || !nextRange) return { added, whole: syncedFrom <= 1, hint: next };
      anchorUid = next.anchorUid;
      range = nextRange;
    }
  } finally {
    // A chunk asked for ahead and not read (a store failed) is answered before the connection goes
    // to other work: its lines are never taken for another command's.
    await ahead?.result();
  }
}

/** A chunk's summaries: the one asked for ahead, if it came whole, else fetched now. */
async function chunkOf(client: ImapFlow, range: { first: number; last: number }, ahead: FetchAhead | undefined): Promise<SummaryLine[]> {
  const early = await ahead?.result();
  if (early?.complete) return early.rows;
  // Refused, cut (then this fails as a command, never as an empty chunk), or a line not read here.
  return fetchSummaries(client, `${range.first}:${range.last}`, false);
}

/**
 * The first sync of a folder (or the first after its UIDVALIDITY changed): the newest page, by
 * sequence numbers; from `early` (asked with the SELECT) when it holds every message of the page.
 */
async function firstPage(client: ImapFlow, cache: MailCache, { pageSize, storeLater }: SyncOptions, early?: BulkFetchResult): Promise<MirrorChange> {
  const mailbox = selected(client);
  const path = mailbox.path;
  const uidValidity = mailbox.uidValidity.toString();
  const announced = Number.isInteger(mailbox.uidNext) && mailbox.uidNext > 0 ? mailbox.uidNext : 0;
  const modseq = mailbox.noModseq ? undefined : mailbox.highestModseq;
  let page: CachedMessage[] = [];
  let first = 1;
  let anchor: { uid: number; seq: number } | undefined;
  if (mailbox.exists > 0) {
    first = Math.max(1, mailbox.exists - pageSize + 1);
    // `first:*` always reaches the newest message, so the page also tells the highest UID.
    const rows = early && holdsPage(early, first, mailbox.exists) ? early.rows.filter((m) => m.seq >= first) : await fetchSummaries(client, `${first}:*`, false);
    page = rows.map((m) => toCachedMessage(m, path, uidValidity));
    for (const m of rows) if (!anchor || m.uid < anchor.uid) anchor = { uid: m.uid, seq: m.seq };
  }
  let uidNext = Math.max(announced, uidAfter(page));
  if (!uidNext) uidNext = await highestUidPlusOne(client);
  const syncedFrom = first <= 1 ? 1 : lowest(page.map((m) => m.uid)) ?? uidNext;
  const store = () =>
    cache.transaction(() => {
      cache.resetFolder(path, uidValidity);
      cache.putMessages(path, page);
      cache.saveFolder({ path, uidNext, highestModseq: modseq?.toString(), syncedFrom, mirrored: true });
    });
  if (!storeLater) store();
  return {
    unstored: storeLater ? store : undefined,
    reset: true,
    removed: [],
    changed: [],
    added: page.map((m) => m.uid),
    how: 'first',
    status: statusOf(client),
    firstPage: { messages: page, uidValidity, uidNext, syncedFrom },
    fillHint: anchor && syncedFrom > 1 && anchor.uid === syncedFrom ? { uidValidity, anchorUid: anchor.uid, anchorSeq: anchor.seq } : undefined,
  };
}

/**
 * Whether `fetched` holds every message from sequence number `first` to `last`: a count that was
 * stale when it was asked for makes the range start too high (messages expunged since) and miss
 * some. Sequence numbers above `last` are messages that came since the SELECT: the newest, kept.
 */
function holdsPage(fetched: BulkFetchResult, first: number, last: number): boolean {
  if (!fetched.complete) return false;
  const seen = new Set<number>();
  for (const m of fetched.rows) if (m.seq >= first && m.seq <= last) seen.add(m.seq);
  return seen.size === last - first + 1;
}

/** What the selection says of the folder now (EXISTS keeps `exists` current, RFC 3501 7.3.1). */
function statusOf(client: ImapFlow): MirrorChange['status'] {
  const mailbox = selected(client);
  return {
    messages: mailbox.exists,
    highestModseq: mailbox.noModseq ? undefined : mailbox.highestModseq?.toString(),
    uidValidity: mailbox.uidValidity.toString(),
  };
}

/** Summaries of every message at or above `uidNext`: one UID range, however large the backlog. */
async function fetchArrived(client: ImapFlow, uidNext: number): Promise<CachedMessage[]> {
  const mailbox = selected(client);
  // The UIDNEXT of the SELECT is not kept current by EXISTS: ask `n:*`, which costs one line when nothing came.
  if (mailbox.exists === 0) return [];
  const uidValidity = mailbox.uidValidity.toString();
  // `n:*` always includes the highest UID even when it is below n (RFC 3501 6.4.8): filter.
  return (await fetchSummaries(client, `${uidNext}:*`, true))
    .filter((m) => m.uid >= uidNext)
    .map((m) => toCachedMessage(m, mailbox.path, uidValidity));
}

/**
 * Summaries of `range` through the bulk reader (near the wire's speed); a range it could not read
 * whole is fetched again through imapflow's own parser.
 */
async function fetchSummaries(client: ImapFlow, range: string, byUid: boolean): Promise<SummaryLine[]> {
  const bulk = await bulkFetch(client, range, byUid, { headerFields: EXTRA_HEADERS });
  return bulk.complete ? bulk.rows : client.fetchAll(range, SUMMARY_QUERY, { uid: byUid });
}

/** Runs `work` while collecting into `vanished` the UIDs the server reports expunged (VANISHED, with or without EARLIER). */
async function whileListening<T>(client: ImapFlow, path: string, vanished: number[], work: () => Promise<T>): Promise<T> {
  const listener = (event: ExpungeEvent) => {
    if (event.path === path && event.uid !== undefined) vanished.push(event.uid);
  };
  client.on('expunge', listener);
  try {
    return await work();
  } finally {
    client.off('expunge', listener);
  }
}

/** The lowest of `values`, undefined for none; a loop, since spreading 100,000 UIDs into Math.min overflows the stack. */
function lowest(values: readonly number[]): number | undefined {
  let low: number | undefined;
  for (const v of values) if (low === undefined || v < low) low = v;
  return low;
}
