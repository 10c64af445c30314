/**
 * The bodies of messages that were read (the parts shown), kept within a budget in bytes: the
 * least recently read go first when a new one needs room; a budget of 0 keeps none.
 */
import type { CacheConnection } from './cacheConnection';

export class BodyStore {
  /** The last read stamp given: stamps only grow, so two reads in one millisecond keep their order. */
  private lastStamp = 0;

  constructor(
    private readonly sql: CacheConnection,
    private maxBytes: number,
  ) {}

  /** A body that was read before, marked as read now (it goes last when space is needed). */
  get<T>(path: string, uid: number): T | undefined {
    const row = this.sql.get<{ content: string }>('SELECT content FROM body WHERE folder = ? AND uid = ?', [path, uid]);
    if (!row) return undefined;
    this.sql.run('UPDATE body SET last_read = ? WHERE folder = ? AND uid = ?', [this.readStamp(), path, uid]);
    return JSON.parse(row.content) as T;
  }

  /** Keeps a body that was shown; the least recently read bodies go when the budget is passed. */
  put(path: string, uid: number, value: unknown): void {
    const content = JSON.stringify(value);
    if (!this.maxBytes || content.length > this.maxBytes) return;
    this.sql.transaction(() => {
      this.sql.run('INSERT OR REPLACE INTO body (folder, uid, content, bytes, last_read) VALUES (?, ?, ?, ?, ?)', [path, uid, content, content.length, this.readStamp()]);
      this.evict();
    });
  }

  setMaxBytes(bytes: number): void {
    this.maxBytes = bytes;
    this.sql.transaction(() => this.evict());
  }

  bytes(): number {
    return Number(this.sql.get<{ n: number }>('SELECT COALESCE(sum(bytes), 0) AS n FROM body')!.n);
  }

  private readStamp(): number {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return this.lastStamp;
  }

  private evict(): void {
    let total = this.bytes();
    if (total <= this.maxBytes) return;
    const rows = this.sql.all<{ folder: string; uid: number; bytes: number }>('SELECT folder, uid, bytes FROM body ORDER BY last_read, folder, uid');
    for (const row of rows) {
      if (total <= this.maxBytes) break;
      this.sql.run('DELETE FROM body WHERE folder = ? AND uid = ?', [row.folder, row.uid]);
      total -= row.bytes;
    }
  }
}
