/**
 * One account's mirror: folders with their sync markers, every summary of the folders the user
 * opened, and the bodies that were read. Reads are what the tree and reader show without asking the
 * server; writes come from sync, which stores changes and the marker that covers them in one
 * transaction (a HIGHESTMODSEQ is never ahead of what is stored, STYLE mistake 7).
 */
import type { MailLog } from '../imap/log';
import type { MessageFlags, SpecialUse } from '../model/types';
import { CacheConnection } from './cacheConnection';
import { openAndMigrate, openCacheDatabase, removeIdleSlots } from './cacheDatabase';
import { flagBits, fromRow, MESSAGE_COLUMNS, toRowValues, type CachedMessage, type MessageRow } from './rows';

/** A folder's state in the mirror. */
export interface CachedFolder {
  path: string;
  delimiter: string;
  specialUse?: SpecialUse;
  uidValidity?: string;
  uidNext?: number;
  highestModseq?: string;
  messages?: number;
  unseen?: number;
  /** Every summary with a UID at or above this is stored; undefined until the first chunk. */
  syncedFrom?: number;
  /** The user opened it: it is mirrored whole. */
  mirrored: boolean;
}

export interface FlagUpdate {
  uid: number;
  flags: MessageFlags;
  keywords?: string[];
  modseq?: string;
}

export interface CacheOptions {
  log: MailLog;
  /** Bodies kept at most, in bytes; the least recently read go first. 0 keeps none. */
  maxBodyBytes: number;
}

interface FolderRow {
  path: string;
  delimiter: string;
  special_use: string | null;
  uid_validity: string | null;
  uid_next: number | null;
  highest_modseq: string | null;
  messages: number | null;
  unseen: number | null;
  synced_from: number | null;
  mirrored: number;
}

export class MailCache {
  /** The file name of a mirror that lives in memory, for a session with no storage (scripts, tests). */
  static readonly IN_MEMORY = ':memory:';
  private readonly sql: CacheConnection;
  private readonly insertMessage: string;
  private maxBodyBytes: number;
  /** Set when an older file was set aside at open: sync starts from nothing. */
  readonly setAside: string | undefined;
  /** The file this process holds (another window of VS Code holds another), or IN_MEMORY. */
  readonly file: string;
  private readonly baseFile: string;
  private lastStamp = 0;

  constructor(file: string, options: CacheOptions) {
    const opened = file === MailCache.IN_MEMORY ? { db: openAndMigrate(file), file, setAside: undefined, release: () => undefined } : openCacheDatabase(file, options.log);
    this.sql = new CacheConnection(opened.db, opened.release);
    this.file = opened.file;
    this.baseFile = file;
    this.setAside = opened.setAside;
    this.maxBodyBytes = options.maxBodyBytes;
    this.insertMessage = `INSERT OR REPLACE INTO message (folder, ${MESSAGE_COLUMNS.join(', ')}) VALUES (${['?', ...MESSAGE_COLUMNS.map(() => '?')].join(', ')})`;
  }

  /** Runs `work` in one transaction: all of it is stored, or none. */
  transaction<T>(work: () => T): T {
    return this.sql.transaction(work);
  }

  // Folders

  folders(): CachedFolder[] {
    return this.sql.all<FolderRow>('SELECT * FROM folder ORDER BY path').map(toFolder);
  }

  folder(path: string): CachedFolder | undefined {
    const row = this.sql.get<FolderRow>('SELECT * FROM folder WHERE path = ?', path);
    return row ? toFolder(row) : undefined;
  }

  /** Creates the folder or updates the fields given; leaves the others as they are. */
  saveFolder(folder: Partial<CachedFolder> & { path: string }): void {
    this.sql.run('INSERT OR IGNORE INTO folder (path, delimiter) VALUES (?, ?)', [folder.path, folder.delimiter ?? '']);
    const columns: [keyof CachedFolder, string, (v: never) => string | number | null][] = [
      ['delimiter', 'delimiter', (v: string) => v],
      ['specialUse', 'special_use', (v: string | undefined) => v ?? null],
      ['uidValidity', 'uid_validity', (v: string | undefined) => v ?? null],
      ['uidNext', 'uid_next', (v: number | undefined) => v ?? null],
      ['highestModseq', 'highest_modseq', (v: string | undefined) => v ?? null],
      ['messages', 'messages', (v: number | undefined) => v ?? null],
      ['unseen', 'unseen', (v: number | undefined) => v ?? null],
      ['syncedFrom', 'synced_from', (v: number | undefined) => v ?? null],
      ['mirrored', 'mirrored', (v: boolean) => (v ? 1 : 0)],
    ];
    const set = columns.filter(([key]) => key in folder);
    if (!set.length) return;
    this.sql.run(`UPDATE folder SET ${set.map(([, column]) => `${column} = ?`).join(', ')} WHERE path = ?`, [
      ...set.map(([key, , value]) => value(folder[key] as never)),
      folder.path,
    ]);
  }

  /** Folders the server no longer lists: their rows, summaries and bodies go. */
  removeFolders(paths: readonly string[]): void {
    this.transaction(() => {
      for (const path of paths) {
        this.dropMessages(path);
        this.sql.run('DELETE FROM folder WHERE path = ?', path);
      }
    });
  }

  /** UIDVALIDITY changed (RFC 3501 2.3.1.1): every UID of the folder is void; its markers reset. */
  resetFolder(path: string, uidValidity: string): void {
    this.transaction(() => {
      this.dropMessages(path);
      this.saveFolder({ path, uidValidity, uidNext: undefined, highestModseq: undefined, syncedFrom: undefined });
    });
  }

  private dropMessages(path: string): void {
    this.sql.run('DELETE FROM message WHERE folder = ?', path);
    this.sql.run('DELETE FROM body WHERE folder = ?', path);
  }

  // Named values

  /** A small value kept as JSON (the folder tree as last listed), or undefined. */
  meta<T>(key: string): T | undefined {
    const row = this.sql.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', key);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  setMeta(key: string, value: unknown): void {
    this.sql.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', [key, JSON.stringify(value)]);
  }

  /** Replaces what is kept of a folder's messages by `messages`, with its markers, in one transaction. */
  replaceMessages(path: string, messages: readonly CachedMessage[], folder: Partial<CachedFolder>): void {
    this.transaction(() => {
      this.sql.run('DELETE FROM message WHERE folder = ?', path);
      this.putMessages(path, messages);
      this.saveFolder({ ...folder, path });
    });
  }

  // Summaries

  /** Stores (or replaces) summaries, all in one transaction. */
  putMessages(path: string, messages: readonly CachedMessage[]): void {
    this.transaction(() => {
      for (const message of messages) {
        this.sql.run(this.insertMessage, [path, ...toRowValues(message)]);
      }
    });
  }

  /**
   * Applies flag changes to stored messages and returns the UIDs whose flags differ from before;
   * UIDs not stored are left alone (their summaries come with sync), and so is a change with a
   * MODSEQ below the one stored (RFC 7162: it happened before what is stored).
   */
  setFlags(path: string, updates: readonly FlagUpdate[]): number[] {
    const changed: number[] = [];
    this.transaction(() => {
      for (const u of updates) {
        const keywords = u.keywords?.length ? u.keywords.join(' ') : null;
        const bits = flagBits(u.flags);
        // A change older than the one stored (a sync that read the message before a live report) is not taken.
        const current = this.sql.get<{ flags: number; keywords: string | null; modseq: string | null }>(
          'SELECT flags, keywords, modseq FROM message WHERE folder = ? AND uid = ?',
          [path, u.uid],
        );
        if (!current || (u.modseq && current.modseq && BigInt(current.modseq) > BigInt(u.modseq))) continue;
        if (current.flags !== bits || current.keywords !== keywords) {
          this.sql.run('UPDATE message SET flags = ?, keywords = ? WHERE folder = ? AND uid = ?', [bits, keywords, path, u.uid]);
          changed.push(u.uid);
        }
        if (u.modseq && u.modseq !== current.modseq) this.sql.run('UPDATE message SET modseq = ? WHERE folder = ? AND uid = ?', [u.modseq, path, u.uid]);
      }
    });
    return changed;
  }

  /** Messages expunged on the server (EXPUNGE, VANISHED): their summaries and bodies go. */
  removeMessages(path: string, uids: readonly number[]): number {
    let removed = 0;
    this.transaction(() => {
      for (const uid of uids) {
        removed += this.sql.run('DELETE FROM message WHERE folder = ? AND uid = ?', [path, uid]);
        this.sql.run('DELETE FROM body WHERE folder = ? AND uid = ?', [path, uid]);
      }
    });
    return removed;
  }

  /** Removes the stored UIDs in [from, to] that are not in `present`: for a UID SEARCH of what remains. */
  removeMissing(path: string, from: number, to: number, present: ReadonlySet<number>): number[] {
    const gone = this.uids(path, from, to).filter((uid) => !present.has(uid));
    this.removeMessages(path, gone);
    return gone;
  }

  /** Newest first: the `limit` messages below `belowUid` (or the newest when omitted). */
  page(path: string, limit: number, belowUid?: number): CachedMessage[] {
    const uidValidity = this.folder(path)?.uidValidity ?? '';
    const rows = this.sql.all<MessageRow>(
      'SELECT * FROM message WHERE folder = ? AND uid < ? ORDER BY uid DESC LIMIT ?',
      [path, belowUid ?? Number.MAX_SAFE_INTEGER, limit],
    );
    return rows.map((row) => fromRow(row, path, uidValidity));
  }

  /** Newest first: every stored message at or above `floorUid` (the window the tree shows), and below `belowUid` if given. */
  window(path: string, floorUid: number, belowUid = Number.MAX_SAFE_INTEGER): CachedMessage[] {
    const uidValidity = this.folder(path)?.uidValidity ?? '';
    const rows = this.sql.all<MessageRow>('SELECT * FROM message WHERE folder = ? AND uid >= ? AND uid < ? ORDER BY uid DESC', [path, floorUid, belowUid]);
    return rows.map((row) => fromRow(row, path, uidValidity));
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

  /** Sets previews (RFC 8970) fetched after the summaries. */
  setPreviews(path: string, previews: ReadonlyMap<number, string>): void {
    this.transaction(() => {
      for (const [uid, preview] of previews) this.sql.run('UPDATE message SET preview = ? WHERE folder = ? AND uid = ?', [preview, path, uid]);
    });
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

  /** Whether any message is stored below `uid`. */
  hasBelow(path: string, uid: number): boolean {
    return this.sql.get('SELECT 1 AS found FROM message WHERE folder = ? AND uid < ? LIMIT 1', [path, uid]) !== undefined;
  }

  message(path: string, uid: number): CachedMessage | undefined {
    const row = this.sql.get<MessageRow>('SELECT * FROM message WHERE folder = ? AND uid = ?', [path, uid]);
    return row ? fromRow(row, path, this.folder(path)?.uidValidity ?? '') : undefined;
  }

  /** Stored UIDs in [from, to], ascending. */
  uids(path: string, from = 1, to = Number.MAX_SAFE_INTEGER): number[] {
    return this.sql.all<{ uid: number }>('SELECT uid FROM message WHERE folder = ? AND uid BETWEEN ? AND ? ORDER BY uid', [path, from, to]).map(
      (r) => r.uid,
    );
  }

  /** How many stored messages lie below `uid`: what "Load older" still has. */
  countBelow(path: string, uid: number): number {
    return Number(this.sql.get<{ n: number }>('SELECT count(*) AS n FROM message WHERE folder = ? AND uid < ?', [path, uid])!.n);
  }

  /** Counts from the mirror (RFC 3501 6.3.10: no STATUS on the selected folder). */
  counts(path: string): { messages: number; unseen: number } {
    const row = this.sql.get<{ messages: number; unseen: number }>(
      'SELECT count(*) AS messages, (SELECT count(*) FROM message WHERE folder = ?1 AND flags & 1 = 0) AS unseen FROM message WHERE folder = ?1',
      [path],
    );
    return { messages: Number(row?.messages ?? 0), unseen: Number(row?.unseen ?? 0) };
  }

  highestUid(path: string): number | undefined {
    return this.sql.get<{ uid: number | null }>('SELECT max(uid) AS uid FROM message WHERE folder = ?', path)?.uid ?? undefined;
  }

  // Bodies

  /** A body that was read before, marked as read now (it goes last when space is needed). */
  body<T>(path: string, uid: number): T | undefined {
    const row = this.sql.get<{ content: string }>('SELECT content FROM body WHERE folder = ? AND uid = ?', [path, uid]);
    if (!row) return undefined;
    this.sql.run('UPDATE body SET last_read = ? WHERE folder = ? AND uid = ?', [this.readStamp(), path, uid]);
    return JSON.parse(row.content) as T;
  }

  /** Keeps a body that was shown; the least recently read bodies go when the limit is passed. */
  putBody(path: string, uid: number, value: unknown): void {
    const content = JSON.stringify(value);
    if (!this.maxBodyBytes || content.length > this.maxBodyBytes) return;
    this.transaction(() => {
      this.sql.run('INSERT OR REPLACE INTO body (folder, uid, content, bytes, last_read) VALUES (?, ?, ?, ?, ?)', [path, uid, content, content.length, this.readStamp()]);
      this.evictBodies();
    });
  }

  /** When a body was read: the clock, but always after the last stamp, so that two reads in one millisecond keep their order. */
  private readStamp(): number {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return this.lastStamp;
  }

  setMaxBodyBytes(bytes: number): void {
    this.maxBodyBytes = bytes;
    this.transaction(() => this.evictBodies());
  }

  bodyBytes(): number {
    return Number(this.sql.get<{ n: number }>('SELECT COALESCE(sum(bytes), 0) AS n FROM body')!.n);
  }

  private evictBodies(): void {
    let total = this.bodyBytes();
    if (total <= this.maxBodyBytes) return;
    const rows = this.sql.all<{ folder: string; uid: number; bytes: number }>('SELECT folder, uid, bytes FROM body ORDER BY last_read, folder, uid');
    for (const row of rows) {
      if (total <= this.maxBodyBytes) break;
      this.sql.run('DELETE FROM body WHERE folder = ? AND uid = ?', [row.folder, row.uid]);
      total -= row.bytes;
    }
  }

  /**
   * Mailroom: Clear Cache. Empties this window's file and deletes the copies no window holds now;
   * another open window of VS Code keeps its own copy until it is cleared there.
   */
  clear(): void {
    this.transaction(() => {
      this.sql.exec('DELETE FROM body; DELETE FROM message; DELETE FROM folder; DELETE FROM meta;');
    });
    this.sql.exec('VACUUM');
    if (this.file !== MailCache.IN_MEMORY) removeIdleSlots(this.baseFile, this.file);
  }

  close(): void {
    this.sql.close();
  }
}

function toFolder(row: FolderRow): CachedFolder {
  return {
    path: row.path,
    delimiter: row.delimiter,
    specialUse: (row.special_use ?? undefined) as SpecialUse | undefined,
    uidValidity: row.uid_validity ?? undefined,
    uidNext: row.uid_next ?? undefined,
    highestModseq: row.highest_modseq ?? undefined,
    messages: row.messages ?? undefined,
    unseen: row.unseen ?? undefined,
    syncedFrom: row.synced_from ?? undefined,
    mirrored: row.mirrored === 1,
  };
}
