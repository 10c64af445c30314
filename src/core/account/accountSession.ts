/**
 * One account's life: two long-lived connections (one for commands, one that listens), the folder
 * list and counts, the windows of open folders, and reconnection with backoff. Emits what changed;
 * knows nothing of trees or webviews.
 */
import type { ImapFlow, ListResponse } from 'imapflow';
import { classifyError, MailError } from '../imap/errors';
import { Emitter, type Disposable } from '../model/events';
import { applySpecialUseOverrides, buildFolderTree, type SpecialUseOverrides } from '../model/folders';
import { fixedPassword, type CredentialProvider } from '../imap/credentials';
import { countsOf, listWithCounts, mergeStatus, statusMoved } from '../sync/folderCounts';
import { catchUp, countSelected, loadNewestPage, loadOlderPage, loadPreviews } from '../sync/folderPages';
import { connectClient } from '../imap/imapClient';
import { isEmptyChange, LoadedFolder, type FolderChange } from '../model/loadedFolder';
import { taggedLog, type MailLog } from '../imap/log';
import { MailboxWatcher, type WatchedStatus } from '../sync/mailboxWatcher';
import { readMessage, readAttachment, type ReadMessage } from '../message/messageReader';
import { Backoff } from '../sync/backoff';
import type { AccountConfig, ConnectionState, FolderCounts, FolderInfo, MessagePage } from '../model/types';

export interface SessionOptions {
  log: MailLog;
  /** Seconds between STATUS polls of all folders when the server has no NOTIFY. */
  pollInterval: number;
  /** Folders whose counts matter most (INBOX by default): without NOTIFY they are polled every `watchedPollSeconds`. */
  watchedFolders?: string[];
  /** Seconds between STATUS polls of the watched folders when the server has no NOTIFY (default 15). */
  watchedPollSeconds?: number;
  /**
   * Seconds of IDLE silence after which the open folder is checked with NOOP (default 10; 0: never).
   * Some servers report during IDLE only every 60 s (Cyrus without idled, Courier) but answer NOOP at once.
   */
  idleCheckSeconds?: number;
  pageSize?: number;
  /** Reconnect delays in ms; tests shorten them. */
  backoff?: { initial: number; max: number };
  /** How often the listening connection is probed with NOOP (IDLE can die silently). */
  probeInterval?: number;
  /** False to poll counts even where the server offers NOTIFY (for servers whose NOTIFY misbehaves). */
  notify?: boolean;
}

type Flag = '\\Seen' | '\\Flagged' | '\\Answered' | '\\Deleted';

export class AccountSession implements Disposable {
  private readonly stateEmitter = new Emitter<ConnectionState>();
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly foldersEmitter = new Emitter<FolderInfo[]>();
  readonly onDidChangeFolders = this.foldersEmitter.event;
  private readonly countsEmitter = new Emitter<FolderCounts[]>();
  readonly onDidChangeCounts = this.countsEmitter.event;
  private readonly messagesEmitter = new Emitter<FolderChange>();
  readonly onDidChangeMessages = this.messagesEmitter.event;

  private commands: ImapFlow | undefined;
  private watcher: MailboxWatcher | undefined;
  private watchClient: ImapFlow | undefined;
  private connecting: Promise<void> | undefined;
  private state: ConnectionState = { kind: 'offline', reason: 'Not connected yet.' };
  private folderTree: FolderInfo[] = [];
  /** The tree as the server lists it, before the user's choices of folder roles. */
  private listedTree: FolderInfo[] = [];
  private folderRoles: SpecialUseOverrides = {};
  private readonly counts = new Map<string, FolderCounts>();
  private readonly lastStatus = new Map<string, WatchedStatus>();
  private readonly loaded = new Map<string, LoadedFolder>();
  private readonly pendingCatchUp = new Map<string, NodeJS.Timeout>();
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private watchedTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly log: MailLog;
  private readonly pageSize: number;
  private readonly credentials: CredentialProvider;

  constructor(
    readonly account: AccountConfig,
    credentials: string | CredentialProvider,
    private readonly options: SessionOptions,
  ) {
    // Asked on every connect: the password may have been re-entered, or its server changed.
    this.credentials = typeof credentials === 'string' ? fixedPassword(credentials, account.name) : credentials;
    this.log = taggedLog(options.log, `imap ${account.name}`);
    this.pageSize = options.pageSize ?? 50;
    this.backoff = new Backoff(options.backoff?.initial ?? 1_000, options.backoff?.max ?? 60_000);
  }

  /** Connects and logs in once, then logs out: used to check an account before it is saved. */
  static async verify(account: AccountConfig, password: string, log: MailLog): Promise<void> {
    const client = await connectClient(account, password, { log });
    await client.logout().catch(() => undefined);
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  get folders(): FolderInfo[] {
    return this.folderTree;
  }

  countsOf(path: string): FolderCounts | undefined {
    return this.counts.get(path);
  }

  /** The loaded window of an open folder, newest first. */
  loadedMessages(path: string): { messages: ReturnType<LoadedFolder['messages']>; hasOlder: boolean } | undefined {
    const folder = this.loaded.get(path);
    return folder && { messages: folder.messages(), hasOlder: folder.hasOlder };
  }

  /** Connects if not connected. Resolves when online; rejects with a MailError otherwise. */
  connect(): Promise<void> {
    if (this.state.kind === 'online' && this.commands?.usable) {
      return Promise.resolve();
    }
    this.connecting ??= this.openConnections().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** Forgets the backoff and tries now: the user pressed Retry. */
  retry(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.backoff.reset();
    return this.connect();
  }

  private async openConnections(): Promise<void> {
    let password: string;
    try {
      password = await this.credentials();
    } catch (err) {
      // No password may go to this server: only the user can change that.
      const error = classifyError(err, this.account);
      this.setState({ kind: 'failed', error });
      throw err instanceof MailError ? err : new MailError(error, { cause: err });
    }
    this.setState({ kind: 'connecting' });
    try {
      this.commands = await connectClient(this.account, password, { log: this.log });
      this.watchClient = await connectClient(this.account, password, {
        log: taggedLog(this.log, 'watch'),
        qresync: true,
        maxIdleTime: 4 * 60_000,
      });
      for (const client of [this.commands, this.watchClient]) {
        client.on('close', () => this.onConnectionLost(client));
      }
      await this.refreshFolders();
      this.watcher = new MailboxWatcher(this.watchClient, this.log, {
        allowNotify: this.options.notify ?? true,
        quietCheckMs: this.idleCheckMs(),
        wantsNews: (path) => this.loaded.has(path),
      });
      this.watcher.onDidChangeFolder((path) => this.scheduleCatchUp(path));
      this.watcher.onDidReceiveStatus((status) => this.onStatus(status));
      this.watcher.onDidChangeFolderList(() => void this.refreshFolders().catch((err) => this.log.warn(`folder list: ${err}`)));
      await this.watcher.start(this.lastFocused ?? 'INBOX');
      this.backoff.reset();
      this.setState({ kind: 'online' });
      this.startTimers();
      // Catch up on whatever happened while we were away.
      for (const path of this.loaded.keys()) {
        this.scheduleCatchUp(path, 0);
      }
    } catch (err) {
      const info = classifyError(err, this.account);
      await this.closeConnections();
      if (info.code === 'auth' || info.code === 'certificate-untrusted') {
        // Retrying cannot help until the user changes something.
        this.setState({ kind: 'failed', error: info });
      } else {
        this.scheduleReconnect(info.message);
      }
      throw err instanceof MailError ? err : new MailError(info, { cause: err });
    }
  }

  private lastFocused: string | undefined;

  private onConnectionLost(client: ImapFlow): void {
    if (this.disposed || (client !== this.commands && client !== this.watchClient)) {
      return;
    }
    this.log.warn('connection lost');
    const reason = 'The connection to the server was lost.';
    // Offline at once: until the old connections are closed, nothing may be sent on them.
    this.setState({ kind: 'offline', reason });
    void this.closeConnections().then(() => {
      // Something may have connected again meanwhile (a user action calls connect()).
      if (!this.connecting && !this.commands?.usable) {
        this.scheduleReconnect(reason);
      }
    });
  }

  private scheduleReconnect(reason: string): void {
    if (this.disposed) {
      return;
    }
    const delay = this.backoff.next();
    this.setState({ kind: 'offline', reason, retryAt: Date.now() + delay });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect().catch(() => undefined), delay);
  }

  private async closeConnections(): Promise<void> {
    this.stopTimers();
    for (const timer of this.pendingCatchUp.values()) {
      clearTimeout(timer);
    }
    this.pendingCatchUp.clear();
    this.watcher?.dispose();
    this.watcher = undefined;
    const clients = [this.commands, this.watchClient];
    this.commands = undefined;
    this.watchClient = undefined;
    for (const client of clients) {
      if (client) {
        client.removeAllListeners('close');
        await Promise.race([client.logout().catch(() => client.close()), delay(2_000)]);
        client.close();
      }
    }
  }

  private startTimers(): void {
    this.stopTimers();
    if (!this.watcher?.usesNotify) {
      this.pollTimer = setInterval(() => void this.refreshCounts().catch((err) => this.log.debug(`poll: ${err}`)), this.options.pollInterval * 1_000);
      const watched = this.watchedFolders();
      const every = this.options.watchedPollSeconds ?? 15;
      if (watched.length && every > 0) {
        this.watchedTimer = setInterval(() => void this.pollWatched().catch((err) => this.log.debug(`poll of watched folders: ${err}`)), every * 1_000);
      }
      this.log.info(`no NOTIFY: polling ${watched.join(', ')} every ${every} s, all folders every ${this.options.pollInterval} s`);
    }
    this.probeTimer = setInterval(() => void this.watcher?.probe().catch(() => this.watchClient?.close()), this.options.probeInterval ?? 120_000);
  }

  /** Takes a new poll interval (seconds) into use at once. */
  setPollInterval(seconds: number): void {
    this.setTimings({ pollInterval: seconds });
  }

  /** Takes new timings and watched folders into use at once. */
  setTimings(timings: Partial<Pick<SessionOptions, 'pollInterval' | 'watchedPollSeconds' | 'idleCheckSeconds' | 'watchedFolders'>>): void {
    const { pollInterval, watchedPollSeconds, idleCheckSeconds, watchedFolders } = timings;
    this.options.pollInterval = pollInterval ?? this.options.pollInterval;
    this.options.watchedPollSeconds = watchedPollSeconds ?? this.options.watchedPollSeconds;
    this.options.idleCheckSeconds = idleCheckSeconds ?? this.options.idleCheckSeconds;
    this.options.watchedFolders = watchedFolders ?? this.options.watchedFolders;
    this.watcher?.setQuietCheck(this.idleCheckMs());
    if (this.state.kind === 'online') {
      this.startTimers();
    }
  }

  private idleCheckMs(): number {
    return Math.max(0, (this.options.idleCheckSeconds ?? 10) * 1_000);
  }

  private watchedFolders(): string[] {
    return this.options.watchedFolders ?? ['INBOX'];
  }

  private stopTimers(): void {
    clearInterval(this.pollTimer);
    clearInterval(this.watchedTimer);
    clearInterval(this.probeTimer);
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.stateEmitter.fire(state);
  }

  private client(): ImapFlow {
    if (!this.commands?.usable) {
      throw new MailError({ code: 'dropped', message: `${this.account.name} is offline. Mailroom reconnects by itself; you can also retry now.` });
    }
    return this.commands;
  }

  /** Runs `work` with `path` selected, under the connection's mailbox lock. */
  private async inFolder<T>(path: string, work: (client: ImapFlow) => Promise<T>): Promise<T> {
    await this.connect();
    const client = this.client();
    try {
      const lock = await client.getMailboxLock(path);
      try {
        return await work(client);
      } finally {
        lock.release();
      }
    } catch (err) {
      if (!client.usable && !(err instanceof MailError)) {
        // The connection died under the work: whatever the command said, the cause is the drop.
        throw new MailError({ code: 'dropped', message: `The connection to ${this.account.name} was lost while working on ${path}.` }, { cause: err });
      }
      throw err;
    }
  }

  /** LIST with STATUS (RFC 5819) where the server has it, else LIST and STATUS per folder. */
  async refreshFolders(): Promise<FolderInfo[]> {
    const { list, statuses } = await this.listWithCounts();
    this.listedTree = buildFolderTree(list);
    this.folderTree = applySpecialUseOverrides(this.listedTree, this.folderRoles);
    this.foldersEmitter.fire(this.folderTree);
    this.applyCounts(statuses);
    return this.folderTree;
  }

  /** The user's choices of what a folder is for (Sent, Trash, …) where the server's attributes or names misled. */
  setFolderRoles(roles: SpecialUseOverrides): void {
    this.folderRoles = roles;
    this.folderTree = applySpecialUseOverrides(this.listedTree, roles);
    this.foldersEmitter.fire(this.folderTree);
  }

  private async refreshCounts(): Promise<void> {
    this.applyCounts((await this.listWithCounts()).statuses);
  }

  /**
   * Runs `work` on the command connection with its selection held still (under the mailbox lock of
   * whatever is selected, INBOX if nothing is), so no STATUS meets the selected folder: RFC 3501
   * 6.3.10 says not to, servers answer it with stale numbers, and imapflow would rewrite the
   * selection's state from the answer.
   */
  private async withSelectionHeld<T>(work: (client: ImapFlow, selectedPath: string) => Promise<T>): Promise<T> {
    // No connect() here: this runs inside openConnections too, which connect() would wait for.
    const client = this.client();
    const lock = await client.getMailboxLock(client.mailbox ? client.mailbox.path : 'INBOX');
    try {
      return await work(client, lock.path);
    } finally {
      lock.release();
    }
  }

  private listWithCounts(): Promise<{ list: ListResponse[]; statuses: WatchedStatus[] }> {
    return this.withSelectionHeld((client, selectedPath) => listWithCounts(client, selectedPath, this.log));
  }

  /** One STATUS per watched folder (no NOTIFY): their unread counts matter most. */
  private async pollWatched(): Promise<void> {
    this.applyCounts(await this.withSelectionHeld((client, selectedPath) => countsOf(client, selectedPath, this.watchedFolders(), this.log)));
  }

  private onStatus(status: WatchedStatus): void {
    this.applyCounts([status]);
  }

  /** Records counts, fires the changed ones, and catches up open folders whose status moved. */
  private applyCounts(statuses: WatchedStatus[]): void {
    const changed: FolderCounts[] = [];
    for (const status of statuses) {
      const previous = this.counts.get(status.path);
      const counts: FolderCounts = {
        path: status.path,
        messages: status.messages ?? previous?.messages ?? 0,
        unseen: status.unseen ?? previous?.unseen ?? 0,
      };
      if (!previous || previous.messages !== counts.messages || previous.unseen !== counts.unseen) {
        this.counts.set(status.path, counts);
        changed.push(counts);
      }
      const before = this.lastStatus.get(status.path);
      this.lastStatus.set(status.path, mergeStatus(before, status));
      if (before && statusMoved(before, status) && this.loaded.has(status.path)) {
        this.scheduleCatchUp(status.path);
      }
    }
    if (changed.length) {
      this.countsEmitter.fire(changed);
    }
  }

  /** Loads the newest page of `path` and keeps the folder up to date from now on. */
  async openFolder(path: string): Promise<MessagePage> {
    const folder = await this.inFolder(path, (client) => loadNewestPage(client, this.pageSize));
    this.loaded.set(path, folder);
    this.lastFocused = path;
    // What changed between the page load and the watcher's EXAMINE reaches no watcher: catch up once it watches.
    void this.watcher
      ?.focus(path)
      .then(() => this.scheduleCatchUp(path))
      .catch((err) => this.log.warn(`cannot watch ${path}: ${err}`));
    this.refreshCountsOf(path);
    this.schedulePreviews(path, folder.messages().map((m) => m.uid));
    return this.page(folder);
  }

  async loadOlder(path: string): Promise<MessagePage> {
    const folder = this.loaded.get(path);
    if (!folder) {
      return this.openFolder(path);
    }
    const page = await this.inFolder(path, (client) => loadOlderPage(client, folder, this.pageSize));
    this.schedulePreviews(path, page.map((m) => m.uid));
    return this.page(folder);
  }

  /** The folder was collapsed: stop keeping its window. */
  closeFolder(path: string): void {
    this.loaded.delete(path);
  }

  private page(folder: LoadedFolder): MessagePage {
    return {
      folder: folder.path,
      uidValidity: folder.uidValidity,
      messages: folder.messages(),
      hasOlder: folder.hasOlder,
      total: this.counts.get(folder.path)?.messages ?? folder.size,
    };
  }

  /** Coalesces bursts of server events into one catch-up per folder. */
  private scheduleCatchUp(path: string, delayMs = 30): void {
    if (!this.loaded.has(path) || this.pendingCatchUp.has(path)) {
      return;
    }
    this.pendingCatchUp.set(
      path,
      setTimeout(() => {
        this.pendingCatchUp.delete(path);
        void this.catchUpFolder(path).catch((err) => {
          if (err instanceof MailError && err.info.code === 'dropped') {
            // Not a failure: every open folder catches up once the connection is back.
            this.log.debug(`catch-up of ${path} cut short by the lost connection; it runs after reconnecting`);
          } else {
            this.log.warn(`catch-up of ${path} failed: ${err}`);
          }
        });
      }, delayMs),
    );
  }

  /** Brings an open folder's window in line with the server and fires what changed. */
  async catchUpFolder(path: string): Promise<FolderChange | undefined> {
    const folder = this.loaded.get(path);
    if (!folder) {
      return undefined;
    }
    const change = await this.inFolder(path, (client) => catchUp(client, folder, this.pageSize));
    if (!isEmptyChange(change)) {
      this.messagesEmitter.fire(change);
      this.refreshCountsOf(path);
      this.schedulePreviews(path, change.added.map((m) => m.uid));
    }
    return change;
  }

  /**
   * Previews (RFC 8970) make the server read message bodies, so they are asked for after the page
   * is shown; the rows then update in place.
   */
  private schedulePreviews(path: string, uids: number[]): void {
    const folder = this.loaded.get(path);
    if (!folder || !uids.length || !this.commands?.capabilities.has('PREVIEW')) {
      return;
    }
    void this.inFolder(path, (client) => loadPreviews(client, folder, uids))
      .then((changed) => {
        if (changed.length && this.loaded.get(path) === folder) {
          this.messagesEmitter.fire({ folder: path, added: [], changed, removed: [], reset: false });
        }
      })
      .catch((err) => this.log.debug(`previews of ${path}: ${err}`));
  }

  /** Counts of a folder just used on the command connection, from its selection (no STATUS, RFC 3501 6.3.10). */
  private refreshCountsOf(path: string): void {
    void this.inFolder(path, countSelected)
      .then((counts) => this.applyCounts([counts]))
      .catch((err) => this.log.debug(`counts of ${path}: ${err}`));
  }

  async readMessage(path: string, uid: number): Promise<ReadMessage> {
    return this.inFolder(path, (client) => readMessage(client, path, uid));
  }

  async downloadAttachment(path: string, uid: number, index: number): Promise<{ filename: string; content: Uint8Array }> {
    return this.inFolder(path, (client) => readAttachment(client, uid, index));
  }

  /** Sets or clears a system flag (RFC 3501 2.3.2) and shows the result at once. */
  async setFlag(path: string, uid: number, flag: Flag, on: boolean): Promise<void> {
    await this.inFolder(path, async (client) => {
      if (on) {
        await client.messageFlagsAdd(String(uid), [flag], { uid: true });
      } else {
        await client.messageFlagsRemove(String(uid), [flag], { uid: true });
      }
    });
    this.scheduleCatchUp(path, 0);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    void this.closeConnections();
    this.stateEmitter.dispose();
    this.foldersEmitter.dispose();
    this.countsEmitter.dispose();
    this.messagesEmitter.dispose();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
