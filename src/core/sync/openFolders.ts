/**
 * The folders the user opened. Each is mirrored whole in the account's store (`folderMirror`): the
 * newest page first, then every older summary in the background, newest first, in chunks that
 * resume after a restart. What the tree shows of a folder is a window on the mirror, from the newest
 * message down to a floor UID that "Load older" lowers; it is read from the store, so a folder the
 * mirror knows opens at once, online or not, and then follows the server. Bursts of server events
 * are coalesced into one sync per folder; previews (RFC 8970) follow the page.
 */
import { MailError } from '../imap/errors';
import type { MailLog } from '../imap/log';
import { DisposableBase, type Event } from '../model/events';
import type { MailCache } from '../cache/mailCache';
import { isEmptyChange, type FolderChange } from '../model/loadedFolder';
import type { MessagePage, MessageSummary } from '../model/types';
import type { AccountConnections } from './accountConnections';
import { countSelected } from './selectedFolder';
import { fillMirror, firstPageBehindSelect, syncMirror, type MirrorChange } from './folderMirror';
import { MirrorFill, type MirrorProgress } from './mirrorFill';
import { SyncsInFlight } from './syncsInFlight';
import { hasPage, isWhole, olderThan, pageOf, viewFromMirror, viewOfFirstPage, type FolderView } from './folderView';
import type { MessageReport } from './mailboxWatcher';
import { applyToMirror, ReportBatches } from './liveReports';
import type { FolderList } from './folderList';
import { fetchPreviews } from '../imap/previews';

/** A refused catch-up is tried again after 0.5, 1, 2 and 4 s. */
const CATCH_UP_ATTEMPTS = 5;
const CATCH_UP_RETRY_MS = 500;

export class OpenFolders extends DisposableBase {
  private readonly changeEmitter = this.emitter<FolderChange>();
  readonly onDidChangeMessages = this.changeEmitter.event;
  private readonly fill: MirrorFill;
  /** The background fill stored another chunk of a folder. */
  readonly onDidProgress: Event<MirrorProgress>;

  private readonly loaded = new Map<string, FolderView>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Syncs of each folder in flight, the folders to sync again after them, the first pages not stored yet. */
  private readonly syncs: SyncsInFlight;
  /** Reports of the listening connection waiting to be applied, by folder. */
  private readonly reports = new ReportBatches((path, reports) => this.applyReports(path, reports));

  constructor(
    private readonly connections: AccountConnections,
    private readonly folderList: FolderList,
    private readonly log: MailLog,
    private readonly pageSize: number,
    /** Called once a folder is open: the watcher moves there. */
    private readonly focus: (path: string) => Promise<void>,
    /** The account's mirror. */
    private readonly cache: MailCache,
    /** Summaries stored per step of the background fill (the folder's lock is let go between steps); 0: none. */
    fillChunk = 2_000,
  ) {
    super();
    this.syncs = new SyncsInFlight(log, (path) => this.scheduleCatchUp(path));
    this.fill = this.register(
      new MirrorFill(connections, folderList, cache, log, fillChunk, (path) => this.loaded.has(path), (path) => {
        this.syncs.otherWorkDone(path);
      }),
    );
    this.onDidProgress = this.fill.onDidProgress;
    this.register({ dispose: () => this.cancelPending() });
    // A first page shown is stored, whatever comes next: before anything reads or syncs its folder,
    // on the next turn of the event loop, or now, as the session goes.
    this.register({ dispose: () => this.syncs.storeAll() });
    this.register(folderList.onDidMove((path) => this.scheduleCatchUp(path)));
    // A damaged mirror file was replaced by an empty one: every open folder is fetched again.
    this.register(cache.onDidReplace(() => this.catchUpAll()));
  }

  /** How far the mirror of `path` has come. */
  progress(path: string): MirrorProgress | undefined {
    return this.fill.progress(path);
  }

  isOpen(path: string): boolean {
    return this.loaded.has(path);
  }

  /** The window of an open folder, newest first, and how many older messages "Load older" can still show. */
  window(path: string): { messages: MessageSummary[]; hasOlder: boolean; older: number } | undefined {
    this.syncs.storeShown(path);
    const view = this.loaded.get(path);
    if (!view) return undefined;
    const { hasOlder, older } = this.older(path, view);
    return { messages: view.shown.messages(), hasOlder, older };
  }

  /** Whether the mirror holds a page of `path`. */
  isMirrored(path: string): boolean {
    this.syncs.storeShown(path);
    return hasPage(this.cache.folder(path));
  }

  /**
   * Shows the newest page of `path` and keeps the folder up to date from now on. A folder the mirror
   * knows shows from it at once and syncs behind; a new one waits for its first page from the server.
   */
  async open(path: string): Promise<MessagePage> {
    this.syncs.storeShown(path);
    const known = this.fromMirror(path);
    // A first page goes to the tree before it is written to the mirror: the write follows at once.
    const synced = known ? undefined : await this.sync(path, true);
    const view = known ?? (synced?.firstPage ? viewOfFirstPage(path, synced.firstPage) : this.fromMirror(path));
    if (!view) throw new Error(`The mirror of ${path} could not be read after its first page was stored.`);
    this.loaded.set(path, view);
    const page = this.page(path, view);
    // The page goes to the tree first; what follows it (counts, previews, the fill, the watcher)
    // starts right after, none of it needed to show the page.
    setImmediate(() => {
      this.syncs.storeShown(path);
      if (this.isDisposed || this.loaded.get(path) !== view) return;
      if (!known) {
        this.afterSync(path, view.shown.messages().map((m) => m.uid));
      } else {
        if (this.connections.connectionState.kind === 'online') {
          // The mirror may be behind the server: catch up now, or after the next connect (catchUpAll).
          this.scheduleCatchUp(path, 0);
        }
        this.fill.verifyCountsLater(path);
      }
      // What changed between the sync and the watcher's EXAMINE reaches no watcher: catch up once it
      // watches. Not connected yet, the watcher starts on this folder when it connects.
      void this.focus(path)
        .then(() => this.scheduleCatchUp(path))
        .catch((err) => this.log.warn(`cannot watch ${path}: ${err}`));
    });
    return page;
  }

  /**
   * Lowers the window by a page. From the mirror when it holds the page; otherwise the fill is
   * asked for it first (it then stores more than the page, for the next one).
   */
  async loadOlder(path: string): Promise<MessagePage> {
    this.syncs.storeShown(path);
    const view = this.loaded.get(path);
    if (!view) {
      return this.open(path);
    }
    const synced = this.cache.folder(path)?.syncedFrom ?? 1;
    // The window holds every stored message from its floor up: the rest of what is stored lies below it.
    if (synced > 1 && this.cache.counts(path).messages - view.shown.size < this.pageSize) {
      // In flight like a sync: a report about a message it fetched before storing it is judged racing.
      await this.syncs.during(path, () => this.connections.inFolder(path, (client) => fillMirror(client, this.cache, this.pageSize)));
      this.fill.start(path);
    }
    const floor = this.cache.floorFor(path, this.pageSize, view.floor);
    if (floor !== undefined) {
      // Only the new page is read from the store: the rows above it are shown already.
      const added = this.cache.window(path, floor, view.floor);
      view.shown.addPage(added);
      view.floor = floor;
      this.schedulePreviews(path, added.map((m) => m.uid));
    }
    return this.page(path, view);
  }

  /** The folder was collapsed: its window goes, its mirror stays (and syncs when it opens again). */
  close(path: string): void {
    this.loaded.delete(path);
  }

  /**
   * Coalesces bursts of server events into one catch-up per folder. A catch-up the server refused
   * is tried again a few times, further apart each time: the window must not stay behind the server
   * until the next event, which may never come.
   */
  scheduleCatchUp(path: string, delayMs = 30, attempt = 1): void {
    if (!this.loaded.has(path) || this.pending.has(path) || this.isDisposed) {
      return;
    }
    this.pending.set(
      path,
      setTimeout(() => {
        this.pending.delete(path);
        void this.catchUp(path).catch((err) => {
          if (err instanceof MailError && err.info.code === 'dropped') {
            // Not a failure: every open folder catches up once the connection is back.
            this.log.debug(`catch-up of ${path} cut short by the lost connection; it runs after reconnecting`);
          } else if (attempt < CATCH_UP_ATTEMPTS) {
            const retryMs = CATCH_UP_RETRY_MS * 2 ** (attempt - 1);
            this.log.warn(`catch-up of ${path} failed (${err}); trying again in ${retryMs} ms`);
            this.scheduleCatchUp(path, retryMs, attempt + 1);
          } else {
            this.log.warn(`catch-up of ${path} failed ${attempt} times: ${err}; the next change on the server tries again`);
          }
        });
      }, delayMs),
    );
  }

  /** Every open folder catches up at once: the connection is back. */
  catchUpAll(): void {
    for (const path of this.loaded.keys()) this.scheduleCatchUp(path, 0);
  }

  /** The connection is going: catch-ups wait for the next one. */
  cancelPending(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  /** Brings an open folder's mirror in line with the server and fires what changed in its window. */
  async catchUp(path: string): Promise<FolderChange | undefined> {
    if (!this.loaded.has(path)) {
      return undefined;
    }
    const mirrorChange = await this.sync(path);
    const view = this.loaded.get(path);
    if (!view) return undefined;
    const moved = mirrorChange.reset || mirrorChange.added.length + mirrorChange.removed.length + mirrorChange.changed.length > 0;
    if (!moved) {
      this.fill.start(path);
      return { folder: path, added: [], changed: [], removed: [], reset: false };
    }
    if (mirrorChange.reset) {
      // UIDVALIDITY changed: every UID shown before is void; the window starts again at the newest page.
      const fresh = this.fromMirror(path);
      if (fresh) view.floor = fresh.floor;
    }
    const change = this.reread(path, view);
    change.reset = mirrorChange.reset;
    if (change.reset) change.added = view.shown.messages();
    this.afterSync(path, change.added.map((m) => m.uid));
    this.fireChange(change);
    return change;
  }

  /** A report of the listening connection: applied to the mirror with the others that come with it. */
  applyReport(report: MessageReport): void {
    this.reports.add(report);
  }

  private applyReports(path: string, reports: MessageReport[]): void {
    if (this.isDisposed) return;
    // A first page fetched before these reports is stored first, so they apply to it.
    this.syncs.storeShown(path);
    const kept = this.cache.folder(path);
    if (!this.loaded.has(path) || reports.some((r) => r.uidValidity !== kept?.uidValidity)) {
      this.scheduleCatchUp(path);
      return;
    }
    const { moved, syncAgain } = applyToMirror(this.cache, path, reports, this.syncs.has(path) || this.fill.isFilling(path));
    if (syncAgain) this.syncs.markAgain(path);
    const view = this.loaded.get(path);
    if (!moved || !view) return;
    this.fireChange(this.reread(path, view));
    this.refreshCounts(path);
  }

  /**
   * One sync of the mirror of `path` with the server. With `storeLater`, a first page is left to
   * store (`unstored`) so that it can be shown first.
   */
  private async sync(path: string, storeLater = false): Promise<MirrorChange> {
    this.syncs.storeShown(path);
    this.syncs.begin(path);
    let storing = false;
    try {
      const change = await this.connections.inFolder(
        path,
        (client, behind) => syncMirror(client, this.cache, { pageSize: this.pageSize, behind, storeLater }),
        // A folder opened cold: its newest page asked for with the SELECT, from the count shown.
        (client) => firstPageBehindSelect(client, this.cache, path, this.pageSize, this.folderList.countsOf(path)?.messages),
      );
      this.logOutcome(path, change);
      // The selection's count is the freshest there is: a STATUS or NOTIFY report may be older.
      this.folderList.apply([{ path, ...change.status }], true);
      if (change.unstored) {
        storing = true;
        this.syncs.storeLater(path, change.unstored);
      }
      return change;
    } finally {
      if (!storing) this.syncs.end(path);
    }
  }

  /** A sync that moved the folder is worth a line at info ("INBOX: 3 new"); one that found nothing, at debug. */
  private logOutcome(path: string, change: MirrorChange): void {
    const parts = [[change.added.length, 'new'], [change.changed.length, 'changed'], [change.removed.length, 'gone']] as const;
    const said = parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
    if (change.reset && change.how !== 'first') said.unshift('the folder was made anew on the server');
    if (said.length) this.log.info(`${path}: ${said.join(', ')} (sync: ${change.how})`);
    else this.log.debug(`${path}: up to date (sync: ${change.how})`);
  }

  /** The window as the mirror holds it now, and what differs from what was shown. */
  private reread(path: string, view: FolderView): FolderChange {
    return view.shown.replaceWith(this.cache.window(path, view.floor));
  }

  private fireChange(change: FolderChange): void {
    if (!isEmptyChange(change)) this.changeEmitter.fire(change);
  }

  /** After a sync that moved the folder: counts, previews of what came, and the rest of the folder in the background. */
  private afterSync(path: string, added: number[]): void {
    this.refreshCounts(path);
    this.schedulePreviews(path, added);
    this.fill.start(path);
  }

  /** The window of `path` as the mirror holds it, from the newest message down a page; undefined for a folder never synced. */
  private fromMirror(path: string): FolderView | undefined {
    try {
      return viewFromMirror(this.cache, path, this.pageSize);
    } catch (err) {
      this.log.warn(`cache: cannot read the mirror of ${path}: ${(err as Error).message}`);
      return undefined;
    }
  }

  private older(path: string, view: FolderView): { hasOlder: boolean; older: number; total: number } {
    return olderThan(this.cache, path, view, this.folderList.countsOf(path)?.messages);
  }

  private page(path: string, view: FolderView): MessagePage {
    return pageOf(this.cache, path, view, this.folderList.countsOf(path)?.messages);
  }

  /**
   * Previews (RFC 8970) make the server read message bodies, so they are asked for after the page
   * is shown; the rows then update in place.
   */
  private schedulePreviews(path: string, uids: number[]): void {
    if (!uids.length || !this.connections.has('PREVIEW')) {
      return;
    }
    const wanted = this.cache.withoutPreview(path, uids);
    if (!wanted.length) return;
    void this.connections
      .inFolder(path, (client) => fetchPreviews(client, wanted))
      .then((previews) => {
        if (!previews.size) return;
        this.cache.setPreviews(path, previews);
        const view = this.loaded.get(path);
        if (view) this.fireChange(this.reread(path, view));
      })
      .catch((err) => this.log.debug(`previews of ${path}: ${err}`));
  }

  /**
   * Counts of an open folder. From the mirror once it is whole (RFC 3501 6.3.10: no STATUS on the
   * selected folder); before that, from a search of the selection on the command connection.
   */
  private refreshCounts(path: string): void {
    if (isWhole(this.cache.folder(path))) {
      this.folderList.apply([{ path, ...this.cache.counts(path) }], true);
      return;
    }
    void this.connections
      .inFolder(path, countSelected)
      .then((counts) => this.folderList.apply([counts], true))
      .catch((err) => this.log.debug(`counts of ${path}: ${err}`));
  }
}
