/**
 * The syncs of each open folder in flight, the folders that must sync again once theirs are done
 * (a live report raced them), and the first pages shown before they were stored. A first page goes
 * to the tree before it is written to the mirror; its sync counts as in flight until it is, so a
 * report that comes meanwhile is judged as racing it.
 */
import type { MailLog } from '../imap/log';

export class SyncsInFlight {
  private readonly running = new Map<string, number>();
  private readonly again = new Set<string>();
  private readonly unstored = new Map<string, () => void>();

  constructor(
    private readonly log: MailLog,
    /** A folder whose syncs are done and must sync again. */
    private readonly syncAgain: (path: string) => void,
  ) {}

  /** Whether a sync of `path` is in flight (or its first page waits to be stored). */
  has(path: string): boolean {
    return this.running.has(path);
  }

  begin(path: string): void {
    this.running.set(path, (this.running.get(path) ?? 0) + 1);
  }

  /** A sync of `path` is done, stored and all: if a report raced it, the folder syncs again. */
  end(path: string): void {
    const left = (this.running.get(path) ?? 1) - 1;
    if (left) this.running.set(path, left);
    else this.running.delete(path);
    if (!left && this.again.delete(path)) this.syncAgain(path);
  }

  /** Runs `work` (which stores what it fetched) as a sync of `path` in flight. */
  async during<T>(path: string, work: () => Promise<T>): Promise<T> {
    this.begin(path);
    try {
      return await work();
    } finally {
      this.end(path);
    }
  }

  /** A report raced a sync (or the fill): `path` syncs again once that work is done. */
  markAgain(path: string): void {
    this.again.add(path);
  }

  /** Other work that raced a report (the fill) is done: syncs again now if no sync is in flight. */
  otherWorkDone(path: string): void {
    if (!this.running.has(path) && this.again.delete(path)) this.syncAgain(path);
  }

  /** The sync of `path` ends once `store` (its first page, shown already) has run. */
  storeLater(path: string, store: () => void): void {
    this.unstored.set(path, () => {
      try {
        store();
      } catch (err) {
        // Shown, not kept: the next sync of the folder fetches its first page again.
        this.log.warn(`cache: cannot store the first page of ${path}: ${(err as Error).message}`);
      } finally {
        this.end(path);
      }
    });
  }

  /** Stores the first page of `path` that was shown before it was stored, if one waits. */
  storeShown(path: string): void {
    const store = this.unstored.get(path);
    if (!store) return;
    this.unstored.delete(path);
    store();
  }

  /** Stores every first page still waiting (the session is going). */
  storeAll(): void {
    for (const path of [...this.unstored.keys()]) this.storeShown(path);
  }
}
