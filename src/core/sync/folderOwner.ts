/**
 * One open folder, and the one place its mirror changes (STYLE pattern 13). Everything that writes
 * the folder's mirror (a sync, a chunk of the background fill, the listening connection's reports,
 * "Load older" from the server, previews, and next the user's actions) runs through this owner's
 * serial queue, one piece at a time, as Mailspring's sync engine runs each worker's work. A report
 * that comes while a chunk is fetched but not stored waits for the chunk to be stored and then
 * applies to it: the races that were found and fixed one at a time (the fill and an expunge, "Load
 * older" and an expunge) cannot happen.
 *
 * The owner holds the folder's state: the window shown, the work queued and in flight, the live
 * reports waiting, the first page shown before it was stored, the catch-up asked for, and where the
 * background fill goes next. It decides nothing about IMAP: `OpenFolders` gives it the work.
 */
import type { FillHint } from './folderMirror';
import type { FolderView } from './folderView';
import type { MessageReport } from './mailboxWatcher';

export class FolderOwner {
  /** The window the tree shows; undefined while the folder is collapsed. */
  view: FolderView | undefined;
  /** Where the next chunk of the background fill ends, learnt from the last one. */
  fillHint: FillHint | undefined;
  /** A fill loop runs for this folder. */
  filling = false;

  /** The end of the queue: each piece of work starts when the one before it has settled. */
  private tail: Promise<unknown> = Promise.resolve();
  /** Pieces of work queued and not started yet. */
  private queued = 0;
  private reports: MessageReport[] = [];
  /** A catch-up asked for and not started yet: more requests join it. */
  private catchUpTimer: NodeJS.Timeout | undefined;
  private catchUpQueued = false;
  /** The first page shown before it was stored, and the store that finishes its sync. */
  private unstored: (() => void) | undefined;

  constructor(readonly path: string) {}

  get isOpen(): boolean {
    return this.view !== undefined;
  }

  /**
   * Runs `work` after every piece queued before it has settled, whatever its outcome. The queue
   * holds the folder still for the mirror; the command connection's lock holds it still on the wire.
   */
  run<T>(work: () => Promise<T>): Promise<T> {
    this.queued++;
    const result = this.tail.then(() => {
      this.queued--;
      // A first page shown and not yet stored is stored before anything else touches the folder.
      this.storeShown();
      return work();
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Whether work waits for the piece running now: a long piece (the fill) then ends early. */
  get workWaits(): boolean {
    return this.queued > 0;
  }

  /**
   * Queues a live report. The first of a batch queues one piece of work that takes every report
   * waiting when it starts: reports that come together (another client deleting a thousand
   * messages) are applied together, in one transaction.
   */
  addReport(report: MessageReport, apply: (reports: MessageReport[]) => void): void {
    this.reports.push(report);
    if (this.reports.length > 1) return;
    // `apply` reports its own failures: a rejection here is one nobody could act on.
    void this.run(async () => {
      // The reports read with this one, and those that came while earlier work ran.
      await new Promise((resolve) => setImmediate(resolve));
      const batch = this.reports;
      this.reports = [];
      apply(batch);
    }).catch(() => undefined);
  }

  /**
   * Asks for a catch-up in `delayMs`. Requests made before it starts join it; one made while it runs
   * queues one more, since the server may have changed after the running one asked.
   */
  scheduleCatchUp(delayMs: number, catchUp: () => Promise<void>): void {
    if (this.catchUpTimer || this.catchUpQueued) return;
    this.catchUpTimer = setTimeout(() => {
      this.catchUpTimer = undefined;
      this.catchUpQueued = true;
      void this.run(async () => {
        this.catchUpQueued = false;
        await catchUp();
      }).catch(() => undefined);
    }, delayMs);
  }

  /** The connection is going: a catch-up not started yet waits for the next one. */
  cancelCatchUp(): void {
    clearTimeout(this.catchUpTimer);
    this.catchUpTimer = undefined;
  }

  /** The first page of a sync was shown before it was stored: `store` finishes that sync. */
  storeLater(store: () => void): void {
    this.unstored = store;
  }

  /** Stores the first page shown before it was stored, if one waits: before any read of the folder's mirror. */
  storeShown(): void {
    const store = this.unstored;
    this.unstored = undefined;
    store?.();
  }
}
