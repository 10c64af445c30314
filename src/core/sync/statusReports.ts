/**
 * What a folder's status report means, as pure functions of the numbers (tested without a server,
 * and under `npm run mutation`): whether it moved, whether it is late, and how it merges with what
 * was known. A MODSEQ or a UID counts only within one UIDVALIDITY (RFC 7162 3.1.1).
 */
import type { WatchedStatus } from './mailboxWatcher';

/** The last known numbers of a folder with the ones `now` brings; a number `now` lacks stays as it was. */
export function mergeStatus(before: WatchedStatus | undefined, now: WatchedStatus): WatchedStatus {
  const known = Object.fromEntries(Object.entries(now).filter(([, value]) => value !== undefined));
  // Another UIDVALIDITY is another folder: none of the old numbers describe it.
  const same = before && (now.uidValidity === undefined || before.uidValidity === undefined || before.uidValidity === now.uidValidity);
  return { ...(same ? before : { path: now.path }), ...known } as WatchedStatus;
}

/** True when a number both reports know differs: counts from a selection carry no UIDNEXT, and that is not a change. */
export function statusMoved(before: WatchedStatus, now: WatchedStatus): boolean {
  return (['messages', 'unseen', 'uidNext', 'highestModseq', 'uidValidity'] as const).some(
    (key) => before[key] !== undefined && now[key] !== undefined && before[key] !== now[key],
  );
}

/**
 * Whether `now` describes the folder as it was before `known` did: HIGHESTMODSEQ grows with every
 * change (RFC 7162 3.1.2), UIDNEXT with every arrival. Without either, nothing tells. Both count
 * only within one UIDVALIDITY (RFC 7162 3.1.1): a folder deleted and made again starts them anew,
 * so a report of another UIDVALIDITY is news, never old.
 */
export function reportedBefore(now: WatchedStatus, known: WatchedStatus): boolean {
  if (now.uidValidity !== undefined && known.uidValidity !== undefined && now.uidValidity !== known.uidValidity) return false;
  if (now.highestModseq !== undefined && known.highestModseq !== undefined) return BigInt(now.highestModseq) < BigInt(known.highestModseq);
  if (now.uidNext !== undefined && known.uidNext !== undefined) return now.uidNext < known.uidNext;
  return false;
}

/** How long a status stays the reference that a late NOTIFY report is judged against. */
export const STALE_REPORT_MS = 30_000;

/**
 * Whether `now` is a late report, to be dropped: it tells of the folder as it was before the status
 * known since `knownAt` (Dovecot sends NOTIFY reports about 0.5 s late), and that status is recent.
 * Only for a while: past STALE_REPORT_MS the report is taken whatever it says, so that nothing can
 * keep a folder's counts from following the server for long.
 */
export function isLateReport(now: WatchedStatus, known: WatchedStatus | undefined, knownAt: number | undefined, at: number): boolean {
  return known !== undefined && reportedBefore(now, known) && at - (knownAt ?? 0) < STALE_REPORT_MS;
}
