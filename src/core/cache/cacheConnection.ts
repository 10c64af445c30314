/**
 * The mirror's SQLite connection as the store uses it: statements prepared once and kept (a
 * statement prepared anew costs more than the read it runs), every write in a transaction.
 *
 * A file found damaged by any read or write (SQLITE_CORRUPT, SQLITE_NOTADB) is replaced through
 * `onDamage` (set aside, an empty one opened, to be filled from the server), and the read or the
 * transaction runs once more on the new file: the mirror is then genuinely empty, not wrongly, and
 * its owner resyncs what it shows. Inside a transaction the error goes up to the outermost one.
 */
import type { BindValues, Database, Statement } from 'node-sqlite3-wasm';
import { isDamaged } from './cacheDatabase';

/** A file opened in place of a damaged one, and how to let it go. */
export interface Replacement {
  db: Database;
  onClose: () => void;
}

/** Prepared statements kept at most; the SQL of the store is a small fixed set. */
const MAX_STATEMENTS = 64;

export class CacheConnection {
  private readonly statements = new Map<string, Statement>();

  constructor(
    private db: Database,
    /** Called before the database closes. */
    private onClose: () => void = () => undefined,
    /** Called once the damaged file is closed: sets it aside and opens another. */
    private readonly onDamage?: (reason: string) => Replacement,
  ) {}

  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  /** The first row of a query that has at most one, or undefined. */
  get<T>(sql: string, values?: BindValues): T | undefined {
    // `all` steps the statement to its end, which leaves it inactive: a kept statement stopped at
    // its first row would hold a read transaction open.
    return this.all<T>(sql, values)[0];
  }

  all<T>(sql: string, values?: BindValues): T[] {
    return this.guarded(() => this.prepared(sql).all(values) as unknown as T[]);
  }

  /** Runs a write; outside a transaction it gets one of its own. Returns the rows it changed. */
  run(sql: string, values?: BindValues): number {
    return this.transaction(() => this.prepared(sql).run(values).changes);
  }

  /** SQL that must run outside any transaction (VACUUM) or is several statements. */
  exec(sql: string): void {
    this.guarded(() => this.db.exec(sql));
  }

  /** Runs `work` in one transaction: all of it is stored, or none. Nested calls join the outer one. */
  transaction<T>(work: () => T): T {
    if (this.db.inTransaction) return work();
    return this.guarded(() => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = work();
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        try {
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
        } catch {
          // A damaged file may refuse even that; it is replaced next.
        }
        throw err;
      }
    });
  }

  /** Runs `read` on the database itself (a PRAGMA with no statement to keep), outside a transaction. */
  check<T>(read: (db: Database) => T): T {
    return this.guarded(() => read(this.db));
  }

  /** The file was found damaged by other means (a check): replaced as if a read had failed. */
  replaceDamaged(reason: string): void {
    if (!this.onDamage) throw new Error(`the mirror file ${reason}`);
    this.replace(reason);
  }

  /** Outside a transaction, a damaged file is replaced and `work` runs once more on the new one. */
  private guarded<T>(work: () => T): T {
    if (this.db.inTransaction || !this.onDamage) return work();
    try {
      return work();
    } catch (err) {
      if (!isDamaged(err)) throw err;
      this.replace(`is damaged (${(err as Error).message})`);
      return work();
    }
  }

  private replace(reason: string): void {
    this.closeQuietly();
    const next = this.onDamage!(reason);
    this.db = next.db;
    this.onClose = next.onClose;
  }

  private closeQuietly(): void {
    for (const statement of this.statements.values()) {
      try {
        statement.finalize();
      } catch {
        // Already unusable.
      }
    }
    this.statements.clear();
    try {
      this.onClose();
      if (this.db.isOpen) this.db.close();
    } catch {
      // The file is set aside whatever its state.
    }
  }

  close(): void {
    if (!this.db.isOpen) return;
    for (const statement of this.statements.values()) statement.finalize();
    this.statements.clear();
    this.onClose();
    this.db.close();
  }

  private prepared(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= MAX_STATEMENTS) {
        const [oldest, kept] = this.statements.entries().next().value as [string, Statement];
        kept.finalize();
        this.statements.delete(oldest);
      }
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
