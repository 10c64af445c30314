/**
 * The mirror's SQLite connection as the store uses it: statements prepared once and kept (a
 * statement prepared anew costs more than the read it runs), every write in a transaction.
 */
import type { BindValues, Database, Statement } from 'node-sqlite3-wasm';

/** Prepared statements kept at most; the SQL of the store is a small fixed set. */
const MAX_STATEMENTS = 64;

export class CacheConnection {
  private readonly statements = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    /** Called before the database closes. */
    private readonly onClose: () => void = () => undefined,
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
    return this.prepared(sql).all(values) as unknown as T[];
  }

  /** Runs a write; outside a transaction it gets one of its own. Returns the rows it changed. */
  run(sql: string, values?: BindValues): number {
    return this.transaction(() => this.prepared(sql).run(values).changes);
  }

  /** SQL that must run outside any transaction (VACUUM) or is several statements. */
  exec(sql: string): void {
    this.db.exec(sql);
  }

  /** Runs `work` in one transaction: all of it is stored, or none. Nested calls join the outer one. */
  transaction<T>(work: () => T): T {
    if (this.db.inTransaction) return work();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
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
