/**
 * Counts on servers without NOTIFY (Cyrus, Gmail, Exchange). Where the server has LIST-STATUS
 * (RFC 5819) and the account is small enough to list whole (COUNTED_TOP_LEVEL folders), every
 * folder is counted by one LIST every `watchedPollSeconds`, so the folders shown follow within
 * that; otherwise the watched folders get a STATUS each that often, and the folders shown are
 * counted in batches at `pollInterval`. Started again on every reconnect: the timers live as long
 * as one pair of connections.
 */
import type { MailLog } from '../imap/log';
import type { Disposable } from '../model/events';

export interface PollTimings {
  /** Seconds between counts of all folders (no NOTIFY). */
  pollInterval: number;
  /** Seconds between STATUS of the watched folders (no NOTIFY); 0 turns it off. */
  watchedPollSeconds: number;
  watchedFolders: string[];
}

export interface PolledCounts {
  /** Whether `all` can count every folder with one command (LIST-STATUS, and few enough folders). */
  canCountAll(): boolean;
  /** Counts every folder with one LIST-STATUS. */
  all(): Promise<void>;
  /** Counts the folders shown (those asked for so far). */
  shown(): Promise<void>;
  /** Counts the watched folders. */
  watched(paths: readonly string[]): Promise<void>;
}

export class CountsPolling implements Disposable {
  private timers: Disposable[] = [];

  constructor(
    private readonly log: MailLog,
    private readonly counts: PolledCounts,
  ) {}

  start(timings: PollTimings): void {
    this.stop();
    if (this.counts.canCountAll()) {
      // One command counts them all: as often as the watched folders, or the folders shown if that is sooner.
      const seconds = Math.min(timings.watchedPollSeconds > 0 ? timings.watchedPollSeconds : Infinity, timings.pollInterval);
      this.timers.push(every(seconds * 1_000, () => void this.counts.all().catch((err) => this.log.debug(`poll: ${err}`))));
      this.log.info(`no NOTIFY: counting every folder with one LIST-STATUS every ${seconds} s`);
      return;
    }
    this.timers.push(every(timings.pollInterval * 1_000, () => void this.counts.shown().catch((err) => this.log.debug(`poll: ${err}`))));
    if (timings.watchedFolders.length && timings.watchedPollSeconds > 0) {
      const pollWatched = () => this.counts.watched(timings.watchedFolders).catch((err) => this.log.debug(`poll of watched folders: ${err}`));
      this.timers.push(every(timings.watchedPollSeconds * 1_000, () => void pollWatched()));
    }
    this.log.info(
      `no NOTIFY: polling ${timings.watchedFolders.join(', ')} every ${timings.watchedPollSeconds} s, folders shown every ${timings.pollInterval} s`,
    );
  }

  stop(): void {
    for (const timer of this.timers) timer.dispose();
    this.timers = [];
  }

  dispose(): void {
    this.stop();
  }
}

/** A timer that stops when disposed. */
function every(ms: number, work: () => void): Disposable {
  const handle = setInterval(work, ms);
  return { dispose: () => clearInterval(handle) };
}
