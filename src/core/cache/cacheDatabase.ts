/**
 * Opens an account's mirror database, migrates it, and sets it aside when it cannot be used:
 * corrupt, locked by a process that no longer holds it, or written by a newer Mailroom. Setting
 * aside renames the file (it is kept for a bug report, never deleted silently) and starts an empty
 * one, which sync then fills from the server: a broken cache costs a resync, never a crash or a
 * wrong tree. Each case is one line in the log.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Database } from 'node-sqlite3-wasm';
import type { MailLog } from '../imap/log';
import { MIGRATIONS, SCHEMA_VERSION } from './schema';

/** How long a write waits for another window of VS Code that holds the database. */
const BUSY_TIMEOUT_MS = 3_000;
/** node-sqlite3-wasm locks with a `<file>.lock` folder; one this old outlived the process that made it. */
const STALE_LOCK_MS = 60_000;

export interface OpenedCache {
  db: Database;
  /** Why an older file was set aside, if one was. */
  setAside?: string;
}

export function openCacheDatabase(file: string, log: MailLog): OpenedCache {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  removeStaleLock(file, log);
  let reason: string | undefined;
  try {
    return { db: openAndMigrate(file) };
  } catch (err) {
    reason = describe(err);
  }
  const aside = `${file}.${new Date().toISOString().replace(/[:.]/g, '-')}.aside`;
  log.warn(`cache: ${path.basename(file)} ${reason}; set aside as ${path.basename(aside)} and rebuilt from the server`);
  try {
    fs.renameSync(file, aside);
    for (const suffix of ['-journal', '.lock']) fs.rmSync(`${file}${suffix}`, { recursive: true, force: true });
    return { db: openAndMigrate(file), setAside: reason };
  } catch (err) {
    // The file cannot even be moved (another window holds it open): keep this session's mirror in memory.
    log.warn(`cache: cannot replace ${path.basename(file)} (${describe(err)}); this session keeps its mirror in memory`);
    return { db: openAndMigrate(':memory:'), setAside: reason };
  }
}

/** Opens (or creates) and migrates; `:memory:` gives a mirror that lasts as long as the session. */
export function openAndMigrate(file: string): Database {
  const db = new Database(file);
  try {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Reading the header and schema fails at once on a file that is not an SQLite database.
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

class NewerSchemaError extends Error {
  constructor(readonly version: number) {
    super(`was written by a newer Mailroom (schema ${version}, this one knows ${SCHEMA_VERSION})`);
  }
}

function describe(err: unknown): string {
  if (err instanceof NewerSchemaError) return err.message;
  const message = (err as Error)?.message ?? String(err);
  if (/locked|busy/i.test(message)) return 'is locked by another process';
  if (/not a database|malformed|corrupt/i.test(message)) return 'is damaged';
  return `cannot be opened (${message})`;
}

function removeStaleLock(file: string, log: MailLog): void {
  const lock = `${file}.lock`;
  try {
    const age = Date.now() - fs.statSync(lock).mtimeMs;
    if (age > STALE_LOCK_MS) {
      fs.rmSync(lock, { recursive: true, force: true });
      log.info(`cache: removed a lock on ${path.basename(file)} left by a process that ended`);
    }
  } catch {
    // No lock: the usual case.
  }
}
