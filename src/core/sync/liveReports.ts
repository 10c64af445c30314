/**
 * The listening connection's reports (FETCH with flags, VANISHED), applied to the mirror without a
 * command or a catch-up. The folder's owner applies them after the work queued before them (a sync
 * or a chunk of the fill that fetched a message before the report stores it first), and reports that
 * come together (another client deleting a thousand messages) together: one transaction, one window
 * diff, one count.
 */
import type { MailCache } from '../cache/mailCache';
import type { ReportOutcome } from './mirrorPlan';

/**
 * Applies what reports about `path` mean (`reportOutcome`) to the mirror in one transaction: flags no
 * older than what is stored (MODSEQ, RFC 7162 3.1.4), and vanished messages removed. Says whether
 * the mirror moved.
 */
export function applyToMirror(cache: MailCache, path: string, outcome: ReportOutcome): boolean {
  let moved = false;
  cache.transaction(() => {
    moved = cache.setFlags(path, outcome.flags).length > 0;
    moved = cache.removeMessages(path, outcome.vanished) > 0 || moved;
  });
  return moved;
}
