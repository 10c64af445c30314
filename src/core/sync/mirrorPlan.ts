/**
 * The decisions of a folder's sync, as pure functions of what is stored and what the server said
 * (tested without a server, and under `npm run mutation`): whether the mirror starts anew, how the
 * known part is checked, how far the markers may advance, where the next chunk of the fill lies,
 * and what the listening connection's reports mean.
 */
import type { CachedFolder } from '../cache/folderRows';
import type { FlagUpdate } from '../cache/mailCache';
import type { MessageReport } from './mailboxWatcher';
import { keywordsOf, toFlags } from './summaries';

/** How the known part of a mirror was checked against the server, or `first` for a first page. */
export type SyncPath = 'first' | 'qresync' | 'condstore' | 'flags';

/** A folder the mirror holds a page of, with the markers after it. */
export type MirroredFolder = CachedFolder & { syncedFrom: number; uidNext: number };

export function isMirrored(stored: CachedFolder | undefined): stored is MirroredFolder {
  return !!stored && stored.syncedFrom !== undefined && !!stored.uidNext;
}

/**
 * Whether the mirror of a folder starts anew with its newest page: never synced, or its UIDVALIDITY
 * changed, which voids every UID stored (RFC 3501 2.3.1.1) and every MODSEQ (RFC 7162 3.1.1).
 */
export function startsAnew(stored: CachedFolder | undefined, uidValidity: string): boolean {
  return !isMirrored(stored) || stored.uidValidity !== uidValidity;
}

/**
 * How the known part is checked: with QRESYNC, changes and VANISHED since the stored MODSEQ (RFC
 * 7162 3.2.5); with CONDSTORE alone, changes since it and a UID SEARCH of what is left; without a
 * stored MODSEQ or one from the server, every UID and its flags.
 */
export function checkPath(storedModseq: bigint | undefined, modseqNow: bigint | undefined, qresync: boolean): Exclude<SyncPath, 'first'> {
  if (storedModseq === undefined || modseqNow === undefined) return 'flags';
  return qresync ? 'qresync' : 'condstore';
}

/**
 * The markers stored after a sync: UIDNEXT only past what was fetched (a message that vanished
 * before its FETCH is then not lost), and the HIGHESTMODSEQ read before the FETCHes, since every
 * change up to it was fetched (STYLE mistake 7: never ahead of what is stored).
 */
export function markersAfter(stored: MirroredFolder, arrived: readonly number[], modseqBefore: bigint | undefined): { uidNext: number; highestModseq?: string } {
  let uidNext = stored.uidNext;
  for (const uid of arrived) if (uid + 1 > uidNext) uidNext = uid + 1;
  return { uidNext, highestModseq: modseqBefore?.toString() };
}

/**
 * The sequence range of the fill's next chunk of `chunk` messages, just below the stored message at
 * `anchorSeq`; undefined when nothing lies below it (the mirror is whole).
 */
export function fillRange(anchorSeq: number, chunk: number): { first: number; last: number } | undefined {
  if (anchorSeq <= 1 || chunk <= 0) return undefined;
  return { first: Math.max(1, anchorSeq - chunk), last: anchorSeq - 1 };
}

/**
 * Where the stored part of the folder starts once a chunk from sequence number `first` is stored:
 * UID 1 for a chunk that reached the first message, else the lowest UID fetched (or the anchor,
 * when the chunk found nothing below it).
 */
export function syncedFromAfter(first: number, fetched: readonly number[], anchorUid: number): number {
  if (first === 1) return 1;
  let lowest: number | undefined;
  for (const uid of fetched) if (lowest === undefined || uid < lowest) lowest = uid;
  return lowest ?? anchorUid;
}

/** What a batch of the listening connection's reports means for the mirror of a folder. */
export interface ReportOutcome {
  /** A report of another UIDVALIDITY: the folder was made anew, and only a sync can tell how. */
  catchUp: boolean;
  flags: FlagUpdate[];
  vanished: number[];
}

export function reportOutcome(reports: readonly MessageReport[], uidValidity: string | undefined): ReportOutcome {
  if (reports.some((r) => r.uidValidity !== uidValidity)) return { catchUp: true, flags: [], vanished: [] };
  const flags: FlagUpdate[] = [];
  const vanished: number[] = [];
  for (const r of reports) {
    if (r.kind === 'vanished') vanished.push(r.uid);
    else flags.push({ uid: r.uid, flags: toFlags(r.flags), keywords: keywordsOf(r.flags), modseq: r.modseq?.toString() });
  }
  return { catchUp: false, flags, vanished };
}

/** What a sync changed, in a user's words ("3 new, 1 gone"); undefined when it changed nothing. */
export function outcomeText(change: { reset: boolean; how: SyncPath; added: readonly unknown[]; changed: readonly unknown[]; removed: readonly unknown[] }): string | undefined {
  const parts = [
    [change.added.length, 'new'],
    [change.changed.length, 'changed'],
    [change.removed.length, 'gone'],
  ] as const;
  const said = parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  if (change.reset && change.how !== 'first') said.unshift('the folder was made anew on the server');
  return said.length ? said.join(', ') : undefined;
}
