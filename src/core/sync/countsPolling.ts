/**
 * Counts on servers without NOTIFY: the watched folders are polled often, the folders shown at
 * `pollInterval`. Started again on every reconnect: the timers live as long as one pair of
 * connections.
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
