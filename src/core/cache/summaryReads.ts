/**
 * Reads of the stored summaries: the tree's window on a folder (a page, the rows above a floor, the
 * floor that shows a page more) and the lookups sync and the user's actions make (which UIDs are
 * stored, which are unread, which still want a preview). Nothing here writes: the writes keep the
 * counts in step and stay with `MailCache`.
 */
import type { BindValues } from 'node-sqlite3-wasm';
import type { CacheConnection } from './cacheConnection';
import { fromRow, type CachedMessage, type MessageRow } from './rows';

export class SummaryReads {
  constructor(
    private readonly sql: CacheConnection,
    /** The folder's UIDVALIDITY as stored ('' when none): a summary read carries it with its UID. */
    private readonly uidValidityOf: (path: string) => string,
  ) {}

  /** Newest first: the `limit` messages below `belowUid` (or the newest when omitted). */
  page(path: string, limit: number, belowUid?: number): CachedMessage[] {
    return this.summaries(path, 'SELECT * FROM message WHERE folder = ? AND uid < ? ORDER BY uid DESC LIMIT ?', [path, belowUid ?? Number.MAX_SAFE_INTEGER, limit]);
  }

  /** Newest first: every stored message at or above `floorUid` (the window the tree shows), and below `belowUid` if given. */
  window(path: string, floorUid: number, belowUid = Number.MAX_SAFE_INTEGER): CachedMessage[] {
    return this.summaries(path, 'SELECT * FROM message WHERE folder = ? AND uid >= ? AND uid < ? ORDER BY uid DESC', [path, floorUid, belowUid]);
  }

  /**
   * The UID of the `count`-th newest stored message below `belowUid` (or of all, when omitted): the
   * floor of a window that shows `count` more. The lowest stored UID when fewer are stored.
   */
  floorFor(path: string, count: number, belowUid = Number.MAX_SAFE_INTEGER): number | undefined {
    const row = this.sql.get<{ uid: number | null }>(
      'SELECT min(uid) AS uid FROM (SELECT uid FROM message WHERE folder = ? AND uid < ? ORDER BY uid DESC LIMIT ?)',
      [path, belowUid, count],
    );
    return row?.uid ?? undefined;
  }

  /** The stored messages among `uids`, ascending, in one read: an action on a selection of hundreds reads them all at once. */
  messagesAmong(path: string, uids: readonly number[]): CachedMessage[] {
    if (!uids.length) return [];
    return this.summaries(path, 'SELECT * FROM message WHERE folder = ? AND uid IN (SELECT value FROM json_each(?)) ORDER BY uid', [path, JSON.stringify(uids)]);
  }

  message(path: string, uid: number): CachedMessage | undefined {
    const row = this.sql.get<MessageRow>('SELECT * FROM message WHERE folder = ? AND uid = ?', [path, uid]);
    return row ? fromRow(row, path, this.uidValidityOf(path)) : undefined;
  }

  /** Whether the summary of `uid` is stored. */
  has(path: string, uid: number): boolean {
    return this.sql.get('SELECT 1 AS found FROM message WHERE folder = ? AND uid = ?', [path, uid]) !== undefined;
  }

  /** Stored UIDs in [from, to], ascending. */
  uids(path: string, from = 1, to = Number.MAX_SAFE_INTEGER): number[] {
    return this.sql.all<{ uid: number }>('SELECT uid FROM message WHERE folder = ? AND uid BETWEEN ? AND ? ORDER BY uid', [path, from, to]).map(
      (r) => r.uid,
    );
  }

  /** The stored UIDs in [from, to] that are not in `present`: gone from the server, by a UID SEARCH or FETCH of what remains. */
  missing(path: string, from: number, to: number, present: ReadonlySet<number>): number[] {
    return this.uids(path, from, to).filter((uid) => !present.has(uid));
  }

  highestUid(path: string): number | undefined {
    return this.sql.get<{ uid: number | null }>('SELECT max(uid) AS uid FROM message WHERE folder = ?', path)?.uid ?? undefined;
  }

  /** Stored UIDs of unread messages, ascending. */
  unseenUids(path: string): number[] {
    return this.sql.all<{ uid: number }>('SELECT uid FROM message WHERE folder = ? AND flags & 1 = 0 ORDER BY uid', path).map((r) => r.uid);
  }

  /** Stored UIDs among `uids` that have no preview yet. */
  withoutPreview(path: string, uids: readonly number[]): number[] {
    if (!uids.length) return [];
    let low = uids[0];
    let high = uids[0];
    for (const uid of uids) {
      if (uid < low) low = uid;
      if (uid > high) high = uid;
    }
    const missing = new Set(
      this.sql.all<{ uid: number }>('SELECT uid FROM message WHERE folder = ? AND uid BETWEEN ? AND ? AND preview IS NULL', [path, low, high]).map((r) => r.uid),
    );
    return uids.filter((uid) => missing.has(uid));
  }

  /** Summaries of `path` read by `query`, each with the folder's UIDVALIDITY (read first, as before the rows). */
  private summaries(path: string, query: string, values: BindValues): CachedMessage[] {
    const uidValidity = this.uidValidityOf(path);
    return this.sql.all<MessageRow>(query, values).map((row) => fromRow(row, path, uidValidity));
  }
}
