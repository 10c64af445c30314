/**
 * Which folders' counts were asked for on this connection, and those still to be sent: the folders
 * shown, in batches of COUNTS_BATCH, each folder once per connection. An account with 100,000
 * folders is never counted whole; the polling counts again only what was asked for here.
 */
import type { MailLog } from '../imap/log';

/** STATUS commands per hold of the command connection: other work waits at most this long. */
export const COUNTS_BATCH = 50;

export class CountsRequests {
  /** Folders whose counts were asked for on this connection; `queued` those not yet sent. */
  private readonly asked = new Set<string>();
  private readonly queued = new Set<string>();
  private draining: Promise<void> | undefined;

  constructor(
    /** Counts a batch of folders (one hold of the command connection); rejects when offline. */
    private readonly countBatch: (paths: readonly string[]) => Promise<void>,
    private readonly log: MailLog,
    private readonly stopped: () => boolean,
  ) {}

  /** A new connection: nothing has been asked on it yet. */
  reset(): void {
    this.asked.clear();
    this.queued.clear();
  }

  /** Folders whose counts came without asking (a LIST-STATUS answer). */
  counted(paths: Iterable<string>): void {
    for (const path of paths) this.asked.add(path);
  }

  /**
   * Asks the server for the counts of `paths` not asked for yet on this connection, in batches of
   * COUNTS_BATCH. Resolves when they have been asked; a batch that fails (offline, dropped) is
   * asked again after the next connect.
   */
  request(paths: readonly string[]): Promise<void> {
    for (const path of paths) {
      if (!this.asked.has(path)) {
        this.asked.add(path);
        this.queued.add(path);
      }
    }
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
    return this.draining;
  }

  /** The counts of the folders asked for so far (those shown), again, in batches: for polling. */
  async again(): Promise<void> {
    const paths = [...this.asked].filter((path) => !this.queued.has(path));
    for (let i = 0; i < paths.length && !this.stopped(); i += COUNTS_BATCH) {
      await this.countBatch(paths.slice(i, i + COUNTS_BATCH));
    }
  }

  private async drain(): Promise<void> {
    // Counts asked in one tick (the rows VS Code draws at once) go out together.
    await Promise.resolve();
    while (this.queued.size && !this.stopped()) {
      const batch = [...this.queued].slice(0, COUNTS_BATCH);
      for (const path of batch) this.queued.delete(path);
      try {
        await this.countBatch(batch);
      } catch (err) {
        for (const path of [...batch, ...this.queued]) this.asked.delete(path);
        this.queued.clear();
        this.log.debug(`counts: ${err}`);
      }
    }
  }
}
