/**
 * The listening connection's reports (FETCH with flags, VANISHED), applied to the mirror without a
 * command or a catch-up. Reports that come together (another client deleting a thousand messages)
 * are applied together, right after the current ones are read: one transaction, one window diff,
 * one count.
 */
import type { MailCache } from '../cache/mailCache';
import type { MessageReport } from './mailboxWatcher';
import { keywordsOf, toFlags } from './summaries';

/** Collects reports per folder and hands each folder's batch over on the next turn of the event loop. */
export class ReportBatches {
  private readonly waiting = new Map<string, MessageReport[]>();

  constructor(private readonly apply: (path: string, reports: MessageReport[]) => void) {}

  add(report: MessageReport): void {
    const queued = this.waiting.get(report.path);
    if (queued) {
      queued.push(report);
      return;
    }
    this.waiting.set(report.path, [report]);
    setImmediate(() => {
      const reports = this.waiting.get(report.path) ?? [];
      this.waiting.delete(report.path);
      if (reports.length) this.apply(report.path, reports);
    });
  }
}

/**
 * Applies `reports` about `path` to the mirror in one transaction. A sync or a fill in flight
 * (`racing`) may have fetched a message before these changes and store it after: it cannot store
 * flags older than these (MODSEQ), but a message it removed, or one not stored yet (so a change
 * found nothing to apply), needs the folder to sync again once that work is done, which fetches
 * what changed since its marker. Says whether the mirror moved, and whether to sync again.
 */
export function applyToMirror(cache: MailCache, path: string, reports: readonly MessageReport[], racing: boolean): { moved: boolean; syncAgain: boolean } {
  let moved = false;
  let syncAgain = false;
  cache.transaction(() => {
    const flags = reports.flatMap((r) =>
      r.kind === 'flags' ? [{ uid: r.uid, flags: toFlags(r.flags), keywords: keywordsOf(r.flags), modseq: r.modseq?.toString() }] : [],
    );
    const vanished = reports.flatMap((r) => (r.kind === 'vanished' ? [r.uid] : []));
    syncAgain = racing && (vanished.length > 0 || reports.some((r) => !cache.has(path, r.uid)));
    moved = cache.setFlags(path, flags).length > 0;
    moved = cache.removeMessages(path, vanished) > 0 || moved;
  });
  return { moved, syncAgain };
}
