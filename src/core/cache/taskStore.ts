/**
 * The queue of the user's actions, kept in the mirror (Mailspring-Sync's TaskProcessor, STYLE
 * pattern 14): each task is written in the same transaction as its local change, and removed once
 * the server confirmed it, so an action taken offline or before a restart is not lost.
 *
 * The store also knows which messages a pending task holds (the UIDs it moves, deletes or flags
 * in its folder): sync and live reports must not put back a row a task has moved, nor undo its
 * flags, until the server has done the task. `MailCache` asks `holds` before writing a summary.
 * What a task means is the actions room's business; here it is JSON with a folder and its UIDs.
 */
import type { CacheConnection } from './cacheConnection';

/** What the store needs to know of a task: the folder it acts in and the UIDs it holds there. */
export interface HoldingTask {
  folder: string;
  uids: readonly number[];
  /**
   * `row` (the default): the task takes the messages out of the folder (a move, a deletion), so no
   * summary of them is written until it is done; `flags`: it changes their flags, so no flags of
   * them are written, but a summary not stored yet may be.
   */
  holds?: 'row' | 'flags';
}

export interface StoredTask<T extends HoldingTask> {
  id: number;
  task: T;
  /** When the action was taken, ms since the epoch. */
  created: number;
}

export class TaskStore {
  /** Per folder, how many pending tasks hold each UID; rows held by a move or deletion, flags by a flag change. */
  private readonly held = { row: new Map<string, Map<number, number>>(), flags: new Map<string, Map<number, number>>() };

  constructor(private readonly sql: CacheConnection) {
    this.reload();
  }

  /** The file went (found damaged, replaced by an empty one): no task of it holds anything now. */
  forget(): void {
    this.held.row.clear();
    this.held.flags.clear();
  }

  /** Reads the held UIDs from the table again (at open, and after a transaction was rolled back). */
  reload(): void {
    this.forget();
    for (const { task } of this.all<HoldingTask>()) this.hold(task, 1);
  }

  /** Adds a task at the end of the queue; call it in the transaction of the task's local change. */
  add<T extends HoldingTask>(task: T, created = Date.now()): number {
    let id = 0;
    this.sql.transaction(() => {
      this.sql.run('INSERT INTO task (body, created) VALUES (?, ?)', [JSON.stringify(task), created]);
      id = this.sql.get<{ id: number }>('SELECT last_insert_rowid() AS id')!.id;
    });
    this.hold(task, 1);
    return id;
  }

  /** Saves how far a task has come (a COPY done, its EXPUNGE not yet). Its folder and UIDs stay. */
  update<T extends HoldingTask>(id: number, task: T): void {
    this.sql.run('UPDATE task SET body = ? WHERE id = ?', [JSON.stringify(task), id]);
  }

  /** The server confirmed the task, or it is given up: its UIDs are let go. */
  remove(id: number): void {
    const row = this.sql.get<{ body: string }>('SELECT body FROM task WHERE id = ?', id);
    if (!row) return;
    this.sql.run('DELETE FROM task WHERE id = ?', id);
    this.hold(JSON.parse(row.body) as HoldingTask, -1);
  }

  /** Pending tasks, oldest first: the order they are performed in. */
  all<T extends HoldingTask>(): StoredTask<T>[] {
    return this.sql
      .all<{ id: number; body: string; created: number }>('SELECT id, body, created FROM task ORDER BY id')
      .map((row) => ({ id: row.id, task: JSON.parse(row.body) as T, created: row.created }));
  }

  get<T extends HoldingTask>(id: number): StoredTask<T> | undefined {
    const row = this.sql.get<{ id: number; body: string; created: number }>('SELECT id, body, created FROM task WHERE id = ?', id);
    return row ? { id: row.id, task: JSON.parse(row.body) as T, created: row.created } : undefined;
  }

  /** Whether a pending task takes `uid` out of `folder`: sync and reports then write no summary of it. */
  holdsRow(folder: string, uid: number): boolean {
    return this.held.row.get(folder)?.has(uid) ?? false;
  }

  /** Whether a pending task holds `uid` of `folder` at all: sync and reports then write none of its flags. */
  holds(folder: string, uid: number): boolean {
    return this.holdsRow(folder, uid) || (this.held.flags.get(folder)?.has(uid) ?? false);
  }

  private hold(task: HoldingTask, by: 1 | -1): void {
    const held = this.held[task.holds ?? 'row'];
    let uids = held.get(task.folder);
    if (!uids) held.set(task.folder, (uids = new Map()));
    for (const uid of task.uids) {
      const count = (uids.get(uid) ?? 0) + by;
      if (count > 0) uids.set(uid, count);
      else uids.delete(uid);
    }
    if (!uids.size) held.delete(task.folder);
  }
}
