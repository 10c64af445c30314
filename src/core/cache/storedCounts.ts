/**
 * How many summaries of each folder the mirror holds, and how many of them are unread. Counting
 * 100,000 rows costs tens of ms, and counts are read on every open, after every change and every
 * chunk of the fill: so they are counted once, then kept in step by each write of a summary, and
 * saved with the folder's row in the same transaction as the writes, for the next session.
 */
import type { CacheConnection } from './cacheConnection';

export interface Counts {
  messages: number;
  unseen: number;
}

export class StoredCounts {
  private readonly kept = new Map<string, Counts>();
  /** Folders whose kept counts moved since they were last saved. */
  private readonly moved = new Set<string>();

  constructor(private readonly sql: CacheConnection) {}

  /** Kept, else as saved with the folder, else counted (and saved). */
  get(path: string): Counts {
    let counts = this.kept.get(path);
    if (!counts) {
      const saved = this.sql.get<{ stored: number | null; stored_unseen: number | null }>('SELECT stored, stored_unseen FROM folder WHERE path = ?', [path]);
      if (saved && saved.stored !== null && saved.stored_unseen !== null) {
        counts = { messages: saved.stored, unseen: saved.stored_unseen };
        this.kept.set(path, counts);
      } else {
        counts = this.count(path);
        this.kept.set(path, counts);
        this.sql.run('UPDATE folder SET stored = ?, stored_unseen = ? WHERE path = ?', [counts.messages, counts.unseen, path]);
      }
    }
    return { ...counts };
  }

  /** Whether writes must keep the counts of `path` in step (they are kept). */
  tracks(path: string): boolean {
    return this.kept.has(path);
  }

  /** A write of `path` moved its counts; call inside the write's transaction. */
  add(path: string, messages: number, unseen: number): void {
    const counts = this.kept.get(path);
    if (!counts || (!messages && !unseen)) return;
    counts.messages += messages;
    counts.unseen += unseen;
    this.moved.add(path);
  }

  /** The folder's summaries went wholesale: count again when asked. Call inside the transaction. */
  forget(path: string): void {
    this.kept.delete(path);
    this.moved.delete(path);
    this.sql.run('UPDATE folder SET stored = NULL, stored_unseen = NULL WHERE path = ?', [path]);
  }

  /** A transaction rolled back: what was kept may be ahead of the file. */
  forgetKept(): void {
    this.kept.clear();
    this.moved.clear();
  }

  /** Saves the counts that moved; call last inside the outermost transaction. */
  save(): void {
    for (const path of this.moved) {
      const counts = this.kept.get(path);
      if (counts) this.sql.run('UPDATE folder SET stored = ?, stored_unseen = ? WHERE path = ?', [counts.messages, counts.unseen, path]);
    }
    this.moved.clear();
  }

  /** Counts `path` anew and says whether the kept counts were wrong (they are corrected). */
  verify(path: string): { was: Counts; now: Counts } | undefined {
    const was = this.kept.get(path);
    const now = this.count(path);
    this.kept.set(path, now);
    this.sql.run('UPDATE folder SET stored = ?, stored_unseen = ? WHERE path = ?', [now.messages, now.unseen, path]);
    return was && (was.messages !== now.messages || was.unseen !== now.unseen) ? { was: { ...was }, now } : undefined;
  }

  private count(path: string): Counts {
    const row = this.sql.get<{ messages: number; unseen: number | null }>('SELECT count(*) AS messages, sum(flags & 1 = 0) AS unseen FROM message WHERE folder = ?', [path]);
    return { messages: Number(row?.messages ?? 0), unseen: Number(row?.unseen ?? 0) };
  }
}
