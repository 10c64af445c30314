/**
 * A mirror file found damaged while it is in use (SQLITE_CORRUPT or SQLITE_NOTADB from any read or
 * write, or `PRAGMA quick_check` a while after a large file opened) is set aside and an empty one
 * takes its place (`setAsideAndReopen`); whoever shows a folder is told, and syncs it from the
 * server again. The file at hand stays usable throughout: the read or write that found the damage
 * runs again on the new file (`CacheConnection`).
 */
import type { MailLog } from '../imap/log';
import type { CacheConnection, Replacement } from './cacheConnection';
import { QUICK_CHECK_AT_OPEN_BYTES, quickCheck, setAsideAndReopen } from './cacheDatabase';
import * as fs from 'node:fs';

const IN_MEMORY = ':memory:';
/** How long after opening a file too large to check at once it is checked. */
const CHECK_LARGE_FILE_AFTER_MS = 10_000;

export class DamagedFileWatch {
  private readonly listeners = new Set<() => void>();
  private laterCheck: NodeJS.Timeout | undefined;

  constructor(
    /** The file held now; another one after a replacement. */
    public file: string,
    private readonly log: MailLog,
    /** Forgets what was kept in memory of the old file (counts). */
    private readonly forget: () => void,
  ) {}

  /** Checks the file a while from now if it was too large to check as it opened. */
  checkLaterIfLarge(sql: CacheConnection): void {
    if (this.file === IN_MEMORY || fileSize(this.file) <= QUICK_CHECK_AT_OPEN_BYTES) return;
    this.laterCheck = setTimeout(() => this.checkNow(sql), CHECK_LARGE_FILE_AFTER_MS);
    this.laterCheck.unref?.();
  }

  /** Checks the file page by page (`PRAGMA quick_check`); a damaged one is replaced. */
  checkNow(sql: CacheConnection): void {
    clearTimeout(this.laterCheck);
    let problem: string | undefined;
    try {
      problem = sql.check((db) => quickCheck(db));
    } catch (err) {
      this.log.warn(`cache: cannot check ${this.file}: ${(err as Error).message}`);
      return;
    }
    if (problem) sql.replaceDamaged(`is damaged (${problem})`);
  }

  /** Called when the file was replaced by an empty one: everything read from it before is void. */
  onDidReplace(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** The file is damaged (it is closed): set aside, and an empty one (or memory) in its place. */
  replace(reason: string): Replacement {
    this.forget();
    const opened = setAsideAndReopen(this.file, reason, this.log) ?? setAsideAndReopen(IN_MEMORY, reason, this.log)!;
    this.file = opened.file;
    // After the read or write that found it has run again on the new file.
    setImmediate(() => {
      for (const listener of [...this.listeners]) {
        try {
          listener();
        } catch (err) {
          this.log.warn(`cache: a listener failed after the mirror was replaced: ${(err as Error).message}`);
        }
      }
    });
    return { db: opened.db, onClose: opened.release };
  }

  dispose(): void {
    clearTimeout(this.laterCheck);
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
