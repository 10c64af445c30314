/**
 * One account's mirror: folders with their sync markers, every summary of the folders the user
 * opened, and the bodies that were read. Reads are what the tree and reader show without asking the
 * server; writes come from sync, which stores changes and the marker that covers them in one
 * transaction (a HIGHESTMODSEQ is never ahead of what is stored, STYLE mistake 7).
 */
import type { MailLog } from '../imap/log';
import type { MessageFlags } from '../model/types';
import { BodyStore } from './bodyStore';
import { StoredCounts, type Counts } from './storedCounts';
import { folderUpdate, toFolder, type CachedFolder, type FolderRow } from './folderRows';
import { CacheConnection } from './cacheConnection';
import { storableText } from '../model/storableText';
import { openAndMigrate, openCacheDatabase, removeIdleSlots } from './cacheDatabase';
import { DamagedFileWatch } from './damagedFile';
import { TaskStore } from './taskStore';
import { flagBits, MESSAGE_COLUMNS, toRowValues, type CachedMessage } from './rows';
import { SummaryReads } from './summaryReads';

export type { CachedFolder } from './folderRows';

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

export class MailCache {
  /** The file name of a mirror that lives in memory, for a session with no storage (scripts, tests). */
  static readonly IN_MEMORY = ':memory:';
  private readonly sql: CacheConnection;
  private readonly insertNew: string;
  private readonly replaceMessage: string;
  private readonly stored: StoredCounts;
  private readonly log: MailLog;
  private readonly bodies: BodyStore;
  private readonly reads: SummaryReads;
  /** Set when an older file was set aside at open: sync starts from nothing. */
  readonly setAside: string | undefined;
  private readonly baseFile: string;
  /** Replaces the file when it is found damaged. */
  private readonly damage: DamagedFileWatch;
  /** The user's actions waiting for the server, and the UIDs they hold (sync leaves those rows alone). */
  readonly tasks: TaskStore;

  constructor(file: string, options: CacheOptions) {
    const opened = file === MailCache.IN_MEMORY ? { db: openAndMigrate(file), file, setAside: undefined, release: () => undefined } : openCacheDatabase(file, options.log);
    // Called before the new file is in place: nothing may be read here.
    this.damage = new DamagedFileWatch(opened.file, options.log, () => {
      this.stored.forgetKept();
      this.tasks.forget();
    });
    this.sql = new CacheConnection(opened.db, opened.release, (reason) => this.damage.replace(reason));
    this.baseFile = file;
    this.setAside = opened.setAside;
    this.bodies = new BodyStore(this.sql, options.maxBodyBytes);
    this.stored = new StoredCounts(this.sql);
    this.tasks = new TaskStore(this.sql);
    this.reads = new SummaryReads(this.sql, (path) => this.folder(path)?.uidValidity ?? '');
    this.log = options.log;
    const row = `INTO message (folder, ${MESSAGE_COLUMNS.join(', ')}) VALUES (${['?', ...MESSAGE_COLUMNS.map(() => '?')].join(', ')})`;
    this.insertNew = `INSERT OR IGNORE ${row}`;
    this.replaceMessage = `INSERT OR REPLACE ${row}`;
    // Too large to check before the first page: checked once the session has settled.
    this.damage.checkLaterIfLarge(this.sql);
  }

  /** The file this process holds (another window of VS Code holds another), or IN_MEMORY. */
  get file(): string {
    return this.damage.file;
  }

  /**
   * Called when the mirror file was found damaged and replaced by an empty one: everything read from
   * it before is void, and whoever shows a folder syncs it from the server again.
   */
  onDidReplace(listener: () => void): { dispose(): void } {
    return this.damage.onDidReplace(listener);
  }

  /** Checks the file page by page (`PRAGMA quick_check`); a damaged one is replaced. */
  checkNow(): void {
    this.damage.checkNow(this.sql);
  }

  /** Runs `work` in one transaction: all of it is stored, or none. */
  transaction<T>(work: () => T): T {
    if (this.sql.inTransaction) return work();
    try {
      return this.sql.transaction(() => {
        const result = work();
        // The counts that the writes moved are stored with them.
        this.stored.save();
        return result;
      });
    } catch (err) {
      // Counts kept in step with writes that were just rolled back: take them from the file again.
      this.stored.forgetKept();
      this.tasks.reload();
      throw err;
    }
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
    this.transaction(() => {
      this.sql.run('INSERT OR IGNORE INTO folder (path, delimiter) VALUES (?, ?)', [folder.path, folder.delimiter ?? '']);
      const update = folderUpdate(folder);
      if (update) this.sql.run(update.sql, update.values);
    });
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
    this.stored.forget(path);
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

  // Summaries: writes, each keeping the counts in step

  /** Stores (or replaces) summaries, all in one transaction. */
  putMessages(path: string, messages: readonly CachedMessage[]): void {
    this.transaction(() => {
      const tracked = this.stored.tracks(path);
      for (const message of messages) {
        // A row a pending action moved away, or whose flags it changed: the server's copy is older
        // than the user's intent. (A summary not stored yet of a message being flagged goes in.)
        if (this.tasks.holdsRow(path, message.uid) || (this.tasks.holds(path, message.uid) && this.has(path, message.uid))) continue;
        const values = [path, ...toRowValues(message)];
        const unseen = message.flags.seen ? 0 : 1;
        // A new summary (the usual case: arrivals, the fill) is one statement.
        if (this.sql.run(this.insertNew, values) === 1) {
          this.stored.add(path, 1, unseen);
          continue;
        }
        const before = tracked && this.sql.get<{ flags: number }>('SELECT flags FROM message WHERE folder = ? AND uid = ?', [path, message.uid]);
        this.sql.run(this.replaceMessage, values);
        if (before) this.stored.add(path, 0, unseen - (before.flags & 1 ? 0 : 1));
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
        if (this.tasks.holds(path, u.uid)) continue;
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
          this.stored.add(path, 0, (current.flags & 1) - (bits & 1));
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
        const gone = this.sql.all<{ flags: number }>('DELETE FROM message WHERE folder = ? AND uid = ? RETURNING flags', [path, uid]);
        this.sql.run('DELETE FROM body WHERE folder = ? AND uid = ?', [path, uid]);
        if (!gone.length) continue;
        removed++;
        this.stored.add(path, -1, gone[0].flags & 1 ? 0 : -1);
      }
    });
    return removed;
  }

  /** Sets previews (RFC 8970) fetched after the summaries. */
  setPreviews(path: string, previews: ReadonlyMap<number, string>): void {
    this.transaction(() => {
      for (const [uid, preview] of previews) this.sql.run('UPDATE message SET preview = ? WHERE folder = ? AND uid = ?', [storableText(preview), path, uid]);
    });
  }

  // Summaries: reads (what each returns is told in summaryReads.ts)

  page(path: string, limit: number, belowUid?: number): CachedMessage[] {
    return this.reads.page(path, limit, belowUid);
  }

  window(path: string, floorUid: number, belowUid?: number): CachedMessage[] {
    return this.reads.window(path, floorUid, belowUid);
  }

  floorFor(path: string, count: number, belowUid?: number): number | undefined {
    return this.reads.floorFor(path, count, belowUid);
  }

  messagesAmong(path: string, uids: readonly number[]): CachedMessage[] {
    return this.reads.messagesAmong(path, uids);
  }

  message(path: string, uid: number): CachedMessage | undefined {
    return this.reads.message(path, uid);
  }

  has(path: string, uid: number): boolean {
    return this.reads.has(path, uid);
  }

  uids(path: string, from?: number, to?: number): number[] {
    return this.reads.uids(path, from, to);
  }

  missing(path: string, from: number, to: number, present: ReadonlySet<number>): number[] {
    return this.reads.missing(path, from, to, present);
  }

  highestUid(path: string): number | undefined {
    return this.reads.highestUid(path);
  }

  unseenUids(path: string): number[] {
    return this.reads.unseenUids(path);
  }

  withoutPreview(path: string, uids: readonly number[]): number[] {
    return this.reads.withoutPreview(path, uids);
  }

  // Counts

  /** Counts from the mirror (RFC 3501 6.3.10: no STATUS on the selected folder). */
  counts(path: string): Counts {
    return this.stored.get(path);
  }

  /**
   * Counts the folder's summaries anew and corrects the kept counts; a difference is logged, as it
   * means a write went past the bookkeeping.
   */
  verifyCounts(path: string): void {
    const wrong = this.stored.verify(path);
    if (wrong) this.log.warn(`cache: the counts kept for ${path} were ${JSON.stringify(wrong.was)}, the summaries say ${JSON.stringify(wrong.now)}; corrected`);
  }

  // Bodies

  /** A body that was read before, marked as read now (it goes last when space is needed). */
  body<T>(path: string, uid: number): T | undefined {
    return this.bodies.get<T>(path, uid);
  }

  /** Keeps a body that was shown; the least recently read bodies go when the limit is passed. */
  putBody(path: string, uid: number, value: unknown): void {
    this.bodies.put(path, uid, value);
  }

  setMaxBodyBytes(bytes: number): void {
    this.bodies.setMaxBytes(bytes);
  }

  bodyBytes(): number {
    return this.bodies.bytes();
  }

  /**
   * Mailroom: Clear Cache. Empties this window's file and deletes the copies no window holds now;
   * another open window of VS Code keeps its own copy until it is cleared there.
   */
  clear(): void {
    this.stored.forgetKept();
    this.transaction(() => {
      this.sql.exec('DELETE FROM body; DELETE FROM message; DELETE FROM folder; DELETE FROM meta;');
    });
    this.sql.exec('VACUUM');
    if (this.file !== MailCache.IN_MEMORY) removeIdleSlots(this.baseFile, this.file);
  }

  close(): void {
    this.damage.dispose();
    this.sql.close();
  }
}
