/**
 * An account's folders and their counts: the folder tree as the server lists it (with the user's
 * choices of folder roles applied), message and unread counts from STATUS, NOTIFY or the selection,
 * and, on servers without NOTIFY, the polling that keeps those counts current.
 *
 * Built for accounts with 100,000 folders: a connect waits for the top level only (LIST "" "%"),
 * the whole list follows in the background, and counts are asked for the folders someone looks at
 * (`requestCounts`), a bounded batch at a time, never for all of them at once.
 */
import type { MailCache } from '../cache/mailCache';
import type { MailLog } from '../imap/log';
import { DisposableBase } from '../model/events';
import { applySpecialUseOverrides, buildFolderTree, flattenFolders, type SpecialUseOverrides } from '../model/folders';
import type { FolderCounts, FolderInfo } from '../model/types';
import type { AccountConnections } from './accountConnections';
import { CountsPolling, type PollTimings } from './countsPolling';
import { COUNTS_BATCH, CountsRequests } from './countsRequests';
import { COUNTED_TOP_LEVEL, countsListed, countsOf, countsOfAll, FIRST_FOLDERS_WAIT_MS, inboxEntry, isWholeHierarchy, listFolders, listTopLevel, type Listed } from './folderCounts';
import { isLateReport, mergeStatus, statusMoved } from './statusReports';
import type { WatchedStatus } from './mailboxWatcher';

/** Where the mirror keeps the folder tree as last listed. */
const FOLDERS_KEY = 'folders';

export class FolderList extends DisposableBase {
  private readonly foldersEmitter = this.emitter<FolderInfo[]>();
  readonly onDidChangeFolders = this.foldersEmitter.event;
  private readonly countsEmitter = this.emitter<FolderCounts[]>();
  readonly onDidChangeCounts = this.countsEmitter.event;
  /** A folder's numbers moved (new mail, flags, expunges): open folders catch up on it. */
  private readonly movedEmitter = this.emitter<string>();
  readonly onDidMove = this.movedEmitter.event;

  private tree: FolderInfo[] = [];
  private byPath = new Map<string, FolderInfo>();
  /** The tree as the server lists it, before the user's choices of folder roles. */
  private listed: FolderInfo[] = [];
  /** How many folders the top level had when last listed on this session (LIST "" "%"). */
  private topLevelSize: number | undefined;
  /** False while only the top level is known. */
  private complete = false;
  /** The whole list, loading in the background after a connect. */
  private loading: Promise<void> | undefined;
  /** The last listing of the top level said every folder in it has no subfolders: it is the whole list. */
  private wholeAlready = false;
  /** A connect went on before the top level was listed, and the listing is still under way. */
  private listingTop = false;
  private roles: SpecialUseOverrides = {};
  private readonly counts = new Map<string, FolderCounts>();
  /** Counts waiting to be kept in the mirror (`keepCounts`). */
  private readonly countsToKeep = new Map<string, FolderCounts>();
  private readonly lastStatus = new Map<string, WatchedStatus>();
  /** When each folder's last status was taken (Date.now()). */
  private readonly statusAt = new Map<string, number>();
  /** Folders made or deleted under their name since their last status (NOTIFY MailboxName): the next report is news. */
  private readonly renewed = new Set<string>();
  private readonly requests: CountsRequests;
  private readonly polling: CountsPolling;

  constructor(
    private readonly connections: AccountConnections,
    private readonly log: MailLog,
    /** The account's mirror: the folder list and counts as last known, shown before the server answers. */
    private readonly cache?: MailCache,
    /** How long a connect waits for the first folders of the top level before it shows INBOX and goes on. */
    private readonly firstWaitMs = FIRST_FOLDERS_WAIT_MS,
  ) {
    super();
    this.requests = new CountsRequests((paths) => this.countBatch(paths), log, () => this.isDisposed);
    this.polling = this.register(
      new CountsPolling(log, {
        canCountAll: () => this.connections.has('LIST-STATUS') && this.byPath.size <= COUNTED_TOP_LEVEL,
        all: async () => this.apply(await this.connections.withSelectionHeld((client, selectedPath) => countsOfAll(client, selectedPath))),
        shown: () => this.requests.again(),
        watched: (paths) => this.recount(paths),
      }),
    );
    // Counts still waiting when the session goes are kept now.
    this.register({ dispose: () => this.flushCounts() });
    this.restore();
  }

  /** The folders and counts kept from the last session, until the server says what is there now. */
  private restore(): void {
    try {
      const kept = this.cache?.meta<FolderInfo[]>(FOLDERS_KEY);
      if (!kept) return;
      for (const folder of this.cache!.folders()) {
        if (folder.messages !== undefined && folder.unseen !== undefined) {
          this.counts.set(folder.path, { path: folder.path, messages: folder.messages, unseen: folder.unseen });
        }
      }
      // Shown as a whole list: a connect keeps it until the server's whole list replaces it.
      this.listed = kept;
      this.complete = true;
      this.setTree();
    } catch (err) {
      this.log.warn(`cache: the kept folder list could not be read: ${(err as Error).message}`);
    }
  }

  /** Writes to the mirror never break the folder list: a failure is one line in the log. */
  private keep(what: string, work: (cache: MailCache) => void): void {
    if (!this.cache) return;
    try {
      work(this.cache);
    } catch (err) {
      this.log.warn(`cache: cannot keep ${what}: ${(err as Error).message}`);
    }
  }

  /**
   * Keeps counts in the mirror for the next session, a turn of the event loop later and all at once:
   * a burst of reports costs one write, and a folder's page is not held up by it.
   */
  private keepCounts(counts: readonly FolderCounts[]): void {
    const first = !this.countsToKeep.size;
    for (const c of counts) this.countsToKeep.set(c.path, c);
    if (first) setImmediate(() => this.flushCounts());
  }

  private flushCounts(): void {
    if (!this.countsToKeep.size) return;
    const kept = [...this.countsToKeep.values()];
    this.countsToKeep.clear();
    this.keep('folder counts', (cache) =>
      cache.transaction(() => {
        for (const c of kept) cache.saveFolder({ path: c.path, messages: c.messages, unseen: c.unseen });
      }),
    );
  }

  get folders(): FolderInfo[] {
    return this.tree;
  }

  /** Whether the whole hierarchy is known, not only its top level. */
  get isComplete(): boolean {
    return this.complete;
  }

  folder(path: string): FolderInfo | undefined {
    return this.byPath.get(path);
  }

  countsOf(path: string): FolderCounts | undefined {
    return this.counts.get(path);
  }

  /** The whole folder list (RFC 3501 6.3.8, LIST "" "*"), without counts: those are asked for as folders are shown. */
  async refresh(): Promise<FolderInfo[]> {
    const list = await this.connections.withSelectionHeld((client) => listFolders(client, '*'));
    this.setListed(list, true);
    return this.tree;
  }

  /**
   * What a connect waits for: the top level (LIST "" "%"), listed on the listening connection before
   * its watcher starts, and the counts of its first folders and of `watched` on the command
   * connection; the whole list then loads in the background. The time does not grow with the number
   * of folders below the top level. A long top level is read as it arrives: the connect goes on once
   * its first FIRST_FOLDERS are in and shown, or after FIRST_FOLDERS_WAIT_MS with INBOX (or the
   * folders kept from the last listing) if the server has sent none by then (Dovecot holds its first
   * line of 100,000 folders for 18 s or more); the rest follows (`onDidChangeFolders` once more),
   * and the counts of what it adds after it. Resolves with `listing` still under way in that case:
   * the listening connection is busy until it settles.
   */
  async refreshTop(watched: readonly string[]): Promise<{ listing?: Promise<unknown> }> {
    this.requests.reset();
    let firstIn: (folders: readonly Listed[]) => void = () => undefined;
    const early = new Promise<readonly Listed[]>((resolve) => (firstIn = resolve));
    let waited: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => (waited = setTimeout(() => resolve(), this.firstWaitMs)));
    // Nothing is selected on the listening connection yet: every count LIST-STATUS gives is good.
    const listing = this.connections.onListening('reading the folders', (client) => listTopLevel(client, this.topLevelSize, (folders) => firstIn(folders)));
    let first: { list: Listed[] } | { folders?: readonly Listed[] };
    try {
      first = await Promise.race([listing.then((list) => ({ list })), early.then((folders) => ({ folders })), late.then(() => ({}))]);
    } finally {
      clearTimeout(waited);
    }
    if ('list' in first) {
      const counted = this.topListed(first.list, watched);
      this.loading = this.loadRest(counted);
      await counted;
      return {};
    }
    // A list already whole (a reconnect, or kept from the last session) stays shown until the new
    // whole list replaces it; otherwise what is in so far, INBOX at least (RFC 3501 5.1: it exists).
    if (!this.complete) this.setListed(first.folders ?? [inboxEntry(this.connections.delimiter())], false);
    this.listingTop = true;
    const counted = this.requestCounts(this.countFirst(watched, this.tree));
    const listed = listing.then((list) => this.topListed(list, watched)).finally(() => {
      this.listingTop = false;
      // The "still listing" row goes, even when the listing failed.
      if (!this.isDisposed) this.foldersEmitter.fire(this.tree);
    });
    this.loading = this.loadRest(listed.then(() => counted));
    return { listing };
  }

  /** Whether the top level is still being listed after a connect went on without it (`refreshTop`). */
  get isListing(): boolean {
    return this.listingTop;
  }

  /** The top level as listed: shown (unless a whole list is), its listed counts taken, and its first folders counted. */
  private topListed(list: readonly Listed[], watched: readonly string[]): Promise<void> {
    this.topLevelSize = list.length;
    // Every folder of a large level says it has no subfolders: this is the whole list, and a LIST
    // "*" of 100,000 folders (18 s on Dovecot) would only say it again.
    this.wholeAlready = list.length > COUNTED_TOP_LEVEL && isWholeHierarchy(list);
    let top: FolderInfo[];
    if (this.wholeAlready || !this.complete) {
      this.setListed(list, this.wholeAlready);
      top = this.listed;
    } else {
      // A list already whole (a reconnect) stays shown until the new whole list replaces it.
      top = buildFolderTree(list);
    }
    const listed = countsListed(list, '');
    this.requests.counted(listed.map((status) => status.path));
    this.apply(listed);
    return this.requestCounts(this.countFirst(watched, top));
  }

  /** The watched folders and the first selectable ones of a listed level, in the order shown. */
  private countFirst(watched: readonly string[], top: readonly FolderInfo[]): string[] {
    // Flattened: on Cyrus the listed level is under INBOX, not beside it.
    const first = flattenFolders(top).filter((f) => f.selectable).slice(0, COUNTS_BATCH).map((f) => f.path);
    return [...new Set([...watched, ...first])];
  }

  /** After `before`: the whole list, unless the top level was it. A failure is logged, the folders shown stay, `whole()` tries again. */
  private loadRest(before: Promise<void>): Promise<void> {
    return before
      .then(() => (this.wholeAlready ? undefined : this.refresh()))
      .then(
        () => undefined,
        (err: unknown) => this.log.warn(`folder list: ${err instanceof Error ? err.message : String(err)}; the folders listed before stay shown`),
      );
  }

  /** The whole folder tree, waiting for it if need be; a failed listing is tried once more, then rejects (a cut list is not the list). */
  async whole(): Promise<FolderInfo[]> {
    if (!this.complete) await this.loading;
    if (!this.complete) await this.refresh();
    return this.tree;
  }

  /** Subfolders of `path`, waiting for the whole list if only the top level is known yet (rejects as `whole()`). */
  async childrenOf(path: string): Promise<FolderInfo[]> {
    await this.whole();
    return this.byPath.get(path)?.children ?? [];
  }

  /**
   * Asks the server for the counts of `paths` not asked for yet on this connection, in batches
   * (RFC 3501 6.3.10 STATUS; the selected folder from its selection). Resolves when they have been
   * asked; the counts arrive through `onDidChangeCounts`.
   */
  requestCounts(paths: readonly string[]): Promise<void> {
    return this.requests.request(paths);
  }

  private async countBatch(paths: readonly string[]): Promise<void> {
    const selectable = paths.filter((path) => this.byPath.get(path)?.selectable ?? true);
    this.apply(await this.connections.withSelectionHeld((client, selectedPath) => countsOf(client, selectedPath, selectable, this.log)));
  }

  /** The user's choices of what a folder is for (Sent, Trash, …) where the server's attributes or names misled. */
  setRoles(roles: SpecialUseOverrides): void {
    this.roles = roles;
    this.setTree();
  }

  private setListed(list: readonly Listed[], complete: boolean): void {
    this.listed = buildFolderTree(list);
    this.complete = complete;
    this.setTree();
    if (complete) this.keep('the folder list', (cache) => cache.setMeta(FOLDERS_KEY, this.listed));
  }

  private setTree(): void {
    this.tree = applySpecialUseOverrides(this.listed, this.roles);
    this.byPath = new Map(flattenFolders(this.tree).map((f) => [f.path, f]));
    this.foldersEmitter.fire(this.tree);
  }

  /**
   * Records counts, fires the changed ones, and tells of folders whose numbers moved. Counts the
   * session took from its own sync (`ownSync`) tell of nothing: the sync already knows.
   */
  apply(statuses: readonly WatchedStatus[], ownSync = false): void {
    const changed: FolderCounts[] = [];
    for (const status of statuses) {
      const before = this.lastStatus.get(status.path);
      // NOTIFY reports come late (Dovecot waits about 0.5 s): one older than what a STATUS already
      // told is not taken. Only for a while, since a folder made anew starts its markers again.
      // A folder made or deleted under this name since: whatever is said of it is news.
      const renewed = this.renewed.delete(status.path);
      if (!renewed && isLateReport(status, before, this.statusAt.get(status.path), Date.now())) continue;
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
      this.lastStatus.set(status.path, mergeStatus(before, status));
      this.statusAt.set(status.path, Date.now());
      if (!ownSync && (renewed || (before && statusMoved(before, status)))) {
        this.movedEmitter.fire(status.path);
      }
    }
    if (changed.length) {
      this.keepCounts(changed);
      this.countsEmitter.fire(changed);
    }
  }

  /** A folder was made or deleted under `path`: whatever is reported of it next is news, not late. */
  forgetMarkers(path: string): void {
    this.renewed.add(path);
    this.movedEmitter.fire(path);
  }

  /** Without NOTIFY, counts are polled: the watched folders often, those shown at `pollInterval`. */
  startPolling(timings: PollTimings): void {
    this.polling.start(timings);
  }

  stopPolling(): void {
    this.polling.stop();
  }

  /** Counts `paths` now (one STATUS each): the watched folders without NOTIFY, a folder with news but not open. */
  async recount(paths: readonly string[]): Promise<void> {
    this.apply(await this.connections.withSelectionHeld((client, selectedPath) => countsOf(client, selectedPath, paths, this.log)));
  }
}
