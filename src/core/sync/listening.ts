/**
 * What an account does while a pair of connections is up: the folder list's top level first, the
 * watcher on the folder looked at last, its news to the mirror and the counts, polling where the
 * server has no NOTIFY, a probe of the listening connection, and a catch-up of every open folder
 * once online. All of it goes with the connections (`closing`), and comes again with the next pair.
 */
import type { MailLog } from '../imap/log';
import type { Disposable } from '../model/events';
import type { SessionOptions } from '../account/sessionOptions';
import type { AccountConnections, ConnectionPair } from './accountConnections';
import type { FolderList } from './folderList';
import { MailboxWatcher } from './mailboxWatcher';
import type { OpenFolders } from './openFolders';

export class Listening implements Disposable {
  private watcher: MailboxWatcher | undefined;
  /** Subscriptions and timers that live as long as one pair of connections. */
  private linkScoped: Disposable[] = [];
  private lastFocused: string | undefined;
  /** Counts the pairs of connections that came and went: work deferred for one pair does nothing for the next. */
  private pairs = 0;
  /** Settles once the watcher of this pair of connections has started (or could not). */
  private watching: Promise<void> = Promise.resolve();

  constructor(
    private readonly connections: AccountConnections,
    private readonly folderList: FolderList,
    private readonly openFolders: () => OpenFolders,
    private readonly log: MailLog,
    private readonly options: SessionOptions,
  ) {}

  /**
   * New connections: the top level of the folder list first (the rest loads in the background, so
   * an account with 100,000 folders is online as soon as one with ten), then the watcher on the
   * folder looked at last. The top level is listed on the listening connection: if the connect went
   * on before that listing ended (a slow LIST), the watcher starts once it has, not before.
   */
  async prepare(pair: ConnectionPair): Promise<void> {
    const { listing } = await this.folderList.refreshTop(this.options.watchedFolders ?? ['INBOX']);
    const link = this.pairs;
    const open = this.openFolders();
    const watcher = new MailboxWatcher(pair.watch, this.log, {
      allowNotify: this.options.notify ?? true,
      quietCheckMs: this.idleCheckMs(),
      wantsNews: (path) => open.isOpen(path),
      answerWithin: (work) => this.connections.answered(pair.watch, 'listening for changes', work),
      socketTimeoutMs: this.connections.timeoutMs(),
    });
    this.linkScoped.push(
      watcher,
      // New mail is fetched at once, with no coalescing timer: the reports of one read of the socket
      // are handled before a 0 ms timer fires, so a burst that comes together is still one catch-up.
      // A folder with news that is not open (the watcher idles on the one looked at last, INBOX at
      // first) has only its counts to follow: the badge and the tree's count.
      watcher.onDidChangeFolder((path) =>
        open.isOpen(path) ? open.scheduleCatchUp(path, 0) : void this.folderList.recount([path]).catch((err) => this.log.debug(`counts of ${path}: ${err}`)),
      ),
      watcher.onDidReport((report) => open.applyReport(report)),
      watcher.onDidReceiveStatus((status) => this.folderList.apply([status])),
      watcher.onDidChangeFolderList((path) => {
        // A folder made or deleted under this name starts its markers anew: its reports are news.
        if (path) this.folderList.forgetMarkers(path);
        void this.folderList.refresh().catch((err) => this.log.warn(`folder list: ${err}`));
      }),
    );
    const start = async (): Promise<void> => {
      this.watcher = watcher;
      await watcher.start(this.lastFocused ?? 'INBOX');
    };
    if (!listing) {
      await start();
      this.watching = Promise.resolve();
      return;
    }
    // Whatever the listing's outcome (a NO leaves the connection usable; a drop ends the pair and
    // with it this watcher), the connection is free once it settled.
    this.watching = listing
      .catch(() => undefined)
      .then(async () => {
        if (link !== this.pairs) return;
        await start();
        // What changed between the connect's own look and the watcher's first (the listing's length)
        // was told to nobody: the open folders catch up and the watched folders are counted again.
        open.catchUpAll();
        await this.folderList.recount(this.options.watchedFolders ?? ['INBOX']).catch((err) => this.log.debug(`counts of the watched folders: ${err}`));
      })
      .catch((err: unknown) => {
        this.log.warn(`listening for changes could not start: ${err instanceof Error ? err.message : String(err)}; reconnecting`);
        watcher.closeConnection();
      });
  }

  /** Online: polling where needed (once the watcher has started: it knows whether NOTIFY is on), the probe, and a catch-up of whatever happened while away. */
  online(): void {
    const link = this.pairs;
    void this.watching.then(() => {
      if (link === this.pairs) this.startPolling();
    });
    const probe = setInterval(() => void this.watcher?.probe().catch(() => this.watcher?.closeConnection()), this.options.probeInterval ?? 120_000);
    this.linkScoped.push({ dispose: () => clearInterval(probe) });
    this.openFolders().catchUpAll();
  }

  /** The connections are going: everything that lived with them goes too. */
  closing(): void {
    this.folderList.stopPolling();
    this.openFolders().cancelPending();
    this.pairs++;
    for (const item of this.linkScoped.splice(0)) item.dispose();
    this.watcher = undefined;
  }

  /** The folder the user looks at now: the watcher moves there (or starts there, once connected). */
  /**
   * Folders about to be renamed or deleted: the watcher leaves them for INBOX first, since a server
   * may close a connection whose selected folder goes (Dovecot says BYE).
   */
  async leave(paths: readonly string[]): Promise<void> {
    if (this.lastFocused && paths.includes(this.lastFocused)) await this.focus('INBOX');
  }

  async focus(path: string): Promise<void> {
    this.lastFocused = path;
    await this.watcher?.focus(path);
  }

  /** New timings from settings, in use at once. */
  retime(): void {
    this.watcher?.setQuietCheck(this.idleCheckMs());
    if (this.connections.connectionState.kind === 'online') this.startPolling();
  }

  dispose(): void {
    this.closing();
  }

  private startPolling(): void {
    if (this.watcher?.usesNotify) return;
    this.folderList.startPolling({
      pollInterval: this.options.pollInterval,
      watchedPollSeconds: this.options.watchedPollSeconds ?? 15,
      watchedFolders: this.options.watchedFolders ?? ['INBOX'],
    });
  }

  private idleCheckMs(): number {
    return Math.max(0, (this.options.idleCheckSeconds ?? 10) * 1_000);
  }
}
