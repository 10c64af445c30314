/**
 * Opens an account's mirror database, migrates it, and sets it aside when it cannot be used:
 * corrupt, or written by a newer Mailroom. Setting aside renames the file (it is kept for a bug
 * report, never deleted silently) and starts an empty one, which sync then fills from the server: a
 * broken cache costs a resync, never a crash or a wrong tree. Each case is one line in the log.
 *
 * A database is held by one process at a time (SQLite's EXCLUSIVE locking mode), which lets it keep
 * its journal as a write-ahead log: a commit appends to the log and is synced only at checkpoints,
 * and a power cut can lose the last commits but never leave the file half-written (SQLite's WAL with
 * `synchronous = NORMAL`). node-sqlite3-wasm has no shared memory for the log's index, which WAL
 * needs when several processes share a file. So each window of VS Code holds a file of its own: the
 * first takes `<name>.sqlite`, a second window `<name>.w2.sqlite`, and so on, each a whole mirror
 * that the next window to take it brings up to date by QRESYNC.
 *
 * node-sqlite3-wasm locks with a `<file>.lock` folder. The process holding it leaves an `owner` file
 * in it (process id, host), so a lock whose process ended (a crash, a window killed) is known for
 * what it is and taken over; it touches the file every minute for a process on another machine to
 * judge (a home folder on a network drive), which cannot ask whether the process lives.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from 'node-sqlite3-wasm';
import type { MailLog } from '../imap/log';
import { MIGRATIONS, SCHEMA_VERSION } from './schema';

/** Windows of VS Code that can each hold a mirror file of an account; more keep theirs in memory. */
const MAX_SLOTS = 8;
/** A lock folder without an owner file this old outlived the process that made it. */
const STALE_LOCK_MS = 60_000;
/** The holder touches its owner file this often; one not touched for LEASE_STALE_MS is taken over. */
const LEASE_REFRESH_MS = 60_000;
const LEASE_STALE_MS = 5 * 60_000;
const OWNER_FILE = 'owner';
/**
 * A file up to this size is checked page by page (`PRAGMA quick_check`) as it opens: about 100 ms
 * per 20 MB here, so up to this size it costs a few tens of ms. A larger one opens at once and is
 * checked a little later (`MailCache`), so that a restart shows the first page without waiting.
 */
export const QUICK_CHECK_AT_OPEN_BYTES = 8 * 1024 * 1024;

export interface OpenedCache {
  db: Database;
  /** The file held, or `:memory:`. */
  file: string;
  /** Why a file was set aside, if one was. */
  setAside?: string;
  /** Lets the file go; call before closing `db`. */
  release(): void;
}

export function openCacheDatabase(file: string, log: MailLog): OpenedCache {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let slot = 1; slot <= MAX_SLOTS; slot++) {
    const slotFile = slotPath(file, slot);
    if (lockState(slotFile) === 'held') continue;
    const opened = openSlot(slotFile, log);
    if (opened) return opened;
  }
  log.warn(`cache: every mirror file of ${path.basename(file)} is held by another window; this window keeps its mirror in memory`);
  return { db: openAndMigrate(':memory:'), file: ':memory:', release: () => undefined };
}

/** The file of the `slot`-th window: `a.sqlite`, then `a.w2.sqlite`, `a.w3.sqlite`, … */
export function slotPath(file: string, slot: number): string {
  if (slot === 1) return file;
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)}.w${slot}${ext}`;
}

/** Opens one slot's file, or undefined when another process holds it. */
function openSlot(file: string, log: MailLog): OpenedCache | undefined {
  if (lockState(file) === 'stale') {
    fs.rmSync(`${file}.lock`, { recursive: true, force: true });
    log.info(`cache: took over ${path.basename(file)} from a process that ended`);
  }
  let reason: string;
  try {
    return claim(openAndMigrate(file), file);
  } catch (err) {
    if (err instanceof HeldError) return undefined;
    reason = describe(err);
  }
  return setAsideAndReopen(file, reason, log);
}

/**
 * Sets `file` aside (renamed, kept for a bug report, never deleted) and opens an empty one in its
 * place, which sync then fills from the server; memory when even that fails. One line in the log.
 * The caller has closed the file first. Undefined only when another process took the name meanwhile.
 */
export function setAsideAndReopen(file: string, reason: string, log: MailLog): OpenedCache | undefined {
  if (file === ':memory:') return { db: openAndMigrate(':memory:'), file: ':memory:', setAside: reason, release: () => undefined };
  const aside = `${file}.${new Date().toISOString().replace(/[:.]/g, '-')}.aside`;
  log.warn(`cache: ${path.basename(file)} ${reason}; set aside as ${path.basename(aside)} and rebuilt from the server`);
  try {
    fs.renameSync(file, aside);
    for (const suffix of ['-journal', '-wal', '.lock']) fs.rmSync(`${file}${suffix}`, { recursive: true, force: true });
    return { ...claim(openAndMigrate(file), file), setAside: reason };
  } catch (err) {
    if (err instanceof HeldError) return undefined;
    log.warn(`cache: cannot replace ${path.basename(file)} (${describe(err)}); this window keeps its mirror in memory`);
    return { db: openAndMigrate(':memory:'), file: ':memory:', setAside: reason, release: () => undefined };
  }
}

/**
 * Opens (or creates) and migrates; `:memory:` gives a mirror that lasts as long as the session.
 * A file is taken whole (EXCLUSIVE locking, write-ahead log): HeldError when another process has it.
 */
export function openAndMigrate(file: string): Database {
  const db = new Database(file);
  try {
    if (file !== ':memory:') {
      // No waiting: a held file means another window, and the next slot is free at once.
      db.exec('PRAGMA busy_timeout = 0');
      db.exec('PRAGMA locking_mode = EXCLUSIVE');
      try {
        // The first read takes the lock (and fails at once on a file that is not a database).
        db.exec('PRAGMA journal_mode = WAL');
      } catch (err) {
        if (/locked|busy/i.test((err as Error).message)) throw new HeldError();
        throw err;
      }
      db.exec('PRAGMA synchronous = NORMAL');
      if (fs.statSync(file).size <= QUICK_CHECK_AT_OPEN_BYTES) {
        const problem = quickCheck(db);
        if (problem) throw new DamagedError(problem);
      }
    }
    const version = Number((db.get('PRAGMA user_version') as { user_version: number }).user_version);
    if (version > SCHEMA_VERSION) {
      throw new NewerSchemaError(version);
    }
    for (let next = version + 1; next <= SCHEMA_VERSION; next++) {
      db.exec('BEGIN IMMEDIATE');
      try {
        db.exec(MIGRATIONS[next - 1]);
        db.exec(`PRAGMA user_version = ${next}`);
        db.exec('COMMIT');
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Marks the lock of an opened file as this process's, and keeps the mark fresh while it is held. */
function claim(db: Database, file: string): OpenedCache {
  const owner = path.join(`${file}.lock`, OWNER_FILE);
  fs.writeFileSync(owner, JSON.stringify({ pid: process.pid, host: os.hostname() }));
  const lease = setInterval(() => {
    const now = new Date();
    try {
      fs.utimesSync(owner, now, now);
    } catch {
      // The folder went (the account was removed): nothing to keep fresh.
    }
  }, LEASE_REFRESH_MS);
  lease.unref();
  return {
    db,
    file,
    release: () => {
      clearInterval(lease);
      // The lock folder must be empty for node-sqlite3-wasm to remove it when the database closes.
      fs.rmSync(owner, { force: true });
    },
  };
}

/** Whether `file` is free, held by a live process, or locked by one that ended. */
export function lockState(file: string): 'free' | 'held' | 'stale' {
  const lock = `${file}.lock`;
  let made: fs.Stats;
  try {
    made = fs.statSync(lock);
  } catch {
    return 'free';
  }
  const ownerFile = path.join(lock, OWNER_FILE);
  let owner: { pid?: unknown; host?: unknown } | undefined;
  let touched = made.mtimeMs;
  try {
    owner = JSON.parse(fs.readFileSync(ownerFile, 'utf8')) as { pid?: unknown; host?: unknown };
    touched = fs.statSync(ownerFile).mtimeMs;
  } catch {
    // No owner yet (a process between taking the lock and marking it), or a lock of older versions.
    return Date.now() - made.mtimeMs > STALE_LOCK_MS ? 'stale' : 'held';
  }
  // On this machine the process itself says: a live one holds the file however long it slept (a
  // lid closed for a night stops its lease), and one that ended does not. A process elsewhere (a home
  // folder on a network drive) is judged by its lease.
  if (owner.host === os.hostname() && typeof owner.pid === 'number') return isAlive(owner.pid) ? 'held' : 'stale';
  return Date.now() - touched > LEASE_STALE_MS ? 'stale' : 'held';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * What `PRAGMA quick_check` finds wrong with the file (its pages, b-trees and records), or undefined
 * when it is sound. A file damaged past reading throws SQLITE_CORRUPT or SQLITE_NOTADB instead.
 */
export function quickCheck(db: Database): string | undefined {
  const rows = db.all('PRAGMA quick_check(3)') as { quick_check?: unknown }[];
  const said = rows.map((row) => String(row.quick_check));
  return said.length === 1 && said[0] === 'ok' ? undefined : said.join('; ');
}

/** Whether `err` says the file is damaged (SQLITE_CORRUPT, SQLITE_NOTADB), as opposed to busy or full. */
export function isDamaged(err: unknown): boolean {
  if (err instanceof DamagedError) return true;
  const message = (err as Error)?.message ?? String(err);
  return /malformed|not a database|SQLITE_CORRUPT|SQLITE_NOTADB|corrupt/i.test(message);
}

export class DamagedError extends Error {
  constructor(problem: string) {
    super(`is damaged (${problem})`);
  }
}

class HeldError extends Error {
  constructor() {
    super('is held by another process');
  }
}

class NewerSchemaError extends Error {
  constructor(readonly version: number) {
    super(`was written by a newer Mailroom (schema ${version}, this one knows ${SCHEMA_VERSION})`);
  }
}

function describe(err: unknown): string {
  if (err instanceof NewerSchemaError || err instanceof DamagedError) return err.message;
  const message = (err as Error)?.message ?? String(err);
  if (/not a database|malformed|corrupt/i.test(message)) return 'is damaged';
  return `cannot be opened (${message})`;
}

/** Deletes the files of `file`'s slots that no process holds, but `keep`: copies of windows closed. */
export function removeIdleSlots(file: string, keep: string): void {
  for (let slot = 1; slot <= MAX_SLOTS; slot++) {
    const slotFile = slotPath(file, slot);
    if (slotFile === keep || lockState(slotFile) === 'held') continue;
    for (const suffix of ['', '-journal', '-wal', '.lock']) fs.rmSync(`${slotFile}${suffix}`, { recursive: true, force: true });
  }
}
