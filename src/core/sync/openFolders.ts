/**
 * The folders the user opened: a map of their owners (`FolderOwner`), each the one place its
 * folder's mirror changes, through a serial queue of its own. Each folder is mirrored whole in the
 * account's store (`folderMirror`): the newest page first, then every older summary in the
 * background, newest first, in chunks that resume after a restart. What the tree shows of a folder is
 * a window on the mirror, from the newest message down to a floor UID that "Load older" lowers; it
 * is read from the store, so a folder the mirror knows opens at once, online or not, and then
 * follows the server. Bursts of server events are coalesced into one sync per folder (`FolderSync`
 * talks to the server); previews (RFC 8970) follow the page.
 */
import { MailError } from '../imap/errors';
import type { MailLog } from '../imap/log';
import { DisposableBase, type Event } from '../model/events';
import type { MailCache } from '../cache/mailCache';
import { isEmptyChange, type FolderChange } from '../model/loadedFolder';
import type { MessagePage, MessageSummary } from '../model/types';
import type { AccountConnections } from './accountConnections';
import { fillMirror } from './folderMirror';
import { MirrorFill, type MirrorProgress } from './mirrorFill';
import { FolderOwner } from './folderOwner';
import { hasPage, olderThan, pageOf, viewFromMirror, viewOfFirstPage, type FolderView } from './folderView';
import type { MessageReport } from './mailboxWatcher';
import { applyToMirror } from './liveReports';
import { reportOutcome } from './mirrorPlan';
import { FolderFollowUps } from './folderFollowUps';
import { FolderSync } from './folderSync';
import type { FolderList } from './folderList';

/** A refused catch-up is tried again after 0.5, 1, 2 and 4 s. */
const CATCH_UP_ATTEMPTS = 5;
const CATCH_UP_RETRY_MS = 500;

export class OpenFolders extends DisposableBase {
  private readonly changeEmitter = this.emitter<FolderChange>();
  readonly onDidChangeMessages = this.changeEmitter.event;
  private readonly folderSync: FolderSync;
  private readonly fill: MirrorFill;
  private readonly followUps: FolderFollowUps;
  /** The background fill stored another chunk of a folder. */
  readonly onDidProgress: Event<MirrorProgress>;

  /**
   * The owner of every folder opened this session. A collapsed folder keeps its owner (its window
   * goes), so work still in flight and work of a folder opened again share one queue.
   */
  private readonly owners = new Map<string, FolderOwner>();

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
    this.folderSync = new FolderSync(connections, folderList, cache, log, pageSize);
    this.fill = this.register(new MirrorFill(connections, folderList, cache, log, fillChunk));
    this.followUps = new FolderFollowUps(connections, folderList, cache, log, (owner) => owner.view && this.fireChange(this.reread(owner.path, owner.view)));
    this.onDidProgress = this.fill.onDidProgress;
    this.register({ dispose: () => this.cancelPending() });
    // A first page shown is stored, whatever comes next: before anything reads or syncs its folder,
    // on the next turn of the event loop, or now, as the session goes.
    this.register({ dispose: () => this.owners.forEach((owner) => owner.storeShown()) });
    this.register(folderList.onDidMove((path) => this.scheduleCatchUp(path)));
    // A damaged mirror file was replaced by an empty one: every open folder is fetched again.
    this.register(cache.onDidReplace(() => this.catchUpAll()));
  }

  /** How far the mirror of `path` has come. */
  progress(path: string): MirrorProgress | undefined {
    return this.fill.progress(path);
  }

  isOpen(path: string): boolean {
    return this.owners.get(path)?.isOpen ?? false;
  }

  /** The owner of `path`, made on first use. */
  private owner(path: string): FolderOwner {
    let owner = this.owners.get(path);
    if (!owner) {
      owner = new FolderOwner(path);
      this.owners.set(path, owner);
    }
    return owner;
  }

  /** The open folder's owner and window, with any first page shown stored first (it is about to be read). */
  private opened(path: string): { owner: FolderOwner; view: FolderView } | undefined {
    const owner = this.owners.get(path);
    owner?.storeShown();
    return owner?.view ? { owner, view: owner.view } : undefined;
  }

  /** The window of an open folder, newest first, and how many older messages "Load older" can still show. */
  window(path: string): { messages: MessageSummary[]; hasOlder: boolean; older: number } | undefined {
    const view = this.opened(path)?.view;
    if (!view) return undefined;
    const { hasOlder, older } = this.older(path, view);
    return { messages: view.shown.messages(), hasOlder, older };
  }

  /** Whether the mirror holds a page of `path`. */
  isMirrored(path: string): boolean {
    this.owners.get(path)?.storeShown();
    return hasPage(this.cache.folder(path));
  }

  /**
   * Shows the newest page of `path` and keeps the folder up to date from now on. A folder the mirror
   * knows shows from it at once and syncs behind; a new one waits for its first page from the server.
   */
  async open(path: string): Promise<MessagePage> {
    const owner = this.owner(path);
    owner.storeShown();
    const known = this.fromMirror(path);
    // A first page goes to the tree before it is written to the mirror: the write follows at once.
    const synced = known ? undefined : await owner.run(() => this.folderSync.sync(owner, { storeLater: true }));
    // A first page shown before it is stored: without the rows a user's pending action holds (moved away).
    const first = synced?.firstPage && { ...synced.firstPage, messages: synced.firstPage.messages.filter((m) => !this.cache.tasks.holdsRow(path, m.uid)) };
    const view = known ?? (first ? viewOfFirstPage(path, first) : this.fromMirror(path));
    if (!view) throw new Error(`The mirror of ${path} could not be read after its first page was stored.`);
    owner.view = view;
    const page = this.page(path, view);
    // The page goes to the tree first; what follows it (counts, previews, the fill, the watcher)
    // starts right after, none of it needed to show the page.
    setImmediate(() => {
      owner.storeShown();
      if (this.isDisposed || owner.view !== view) return;
      if (!known) {
        this.afterSync(owner, view.shown.messages().map((m) => m.uid));
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
    const opened = this.opened(path);
    if (!opened) {
      return this.open(path);
    }
    const { owner, view } = opened;
    const synced = this.cache.folder(path)?.syncedFrom ?? 1;
    // The window holds every stored message from its floor up: the rest of what is stored lies below it.
    if (synced > 1 && this.cache.counts(path).messages - view.shown.size < this.pageSize) {
      // The fill's own step, asked for now: its position is the owner's, and so is the queue.
      await owner.run(async () => {
        const step = await this.connections.inFolder(path, (client) => fillMirror(client, this.cache, this.pageSize, { hint: owner.fillHint }));
        owner.fillHint = step.hint;
      });
      this.fill.start(owner);
    }
    const floor = this.cache.floorFor(path, this.pageSize, view.floor);
    if (floor !== undefined) {
      // Only the new page is read from the store: the rows above it are shown already.
      const added = this.cache.window(path, floor, view.floor);
      view.shown.addPage(added);
      view.floor = floor;
      this.followUps.previews(owner, added.map((m) => m.uid));
    }
    return this.page(path, view);
  }

  /** Runs a user's action on `path` through the folder's owner, after the work queued before it. */
  runAsOwner<T>(path: string, work: () => Promise<T>): Promise<T> {
    return this.owner(path).run(work);
  }

  /** A user's action writes the mirror of `path` (`write`); an open window shows it and fires the change at once. */
  changeMirror<T>(path: string, write: () => T): T {
    // A first page shown and not yet stored goes in first: the action acts on those rows too.
    this.owners.get(path)?.storeShown();
    const result = write();
    const opened = this.opened(path);
    if (opened) this.fireChange(this.reread(path, opened.view));
    if (opened) this.followUps.refreshCounts(path);
    return result;
  }

  /** The folder was collapsed: its window goes, its mirror stays (and syncs when it opens again). */
  close(path: string): void {
    const owner = this.owners.get(path);
    if (owner) owner.view = undefined;
  }

  /**
   * Coalesces bursts of server events into one catch-up per folder. A catch-up the server refused
   * is tried again a few times, further apart each time: the window must not stay behind the server
   * until the next event, which may never come.
   */
  scheduleCatchUp(path: string, delayMs = 30, attempt = 1): void {
    const owner = this.owners.get(path);
    if (!owner?.isOpen || this.isDisposed) {
      return;
    }
    owner.scheduleCatchUp(delayMs, async () => {
      try {
        await this.catchUpNow(owner);
      } catch (err) {
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
      }
    });
  }

  /** Every open folder catches up at once: the connection is back. */
  catchUpAll(): void {
    for (const owner of this.owners.values()) if (owner.isOpen) this.scheduleCatchUp(owner.path, 0);
  }

  /** The connection is going: catch-ups wait for the next one. */
  cancelPending(): void {
    for (const owner of this.owners.values()) owner.cancelCatchUp();
  }

  /** Brings an open folder's mirror in line with the server and fires what changed in its window. */
  catchUp(path: string): Promise<FolderChange | undefined> {
    const owner = this.owners.get(path);
    if (!owner?.isOpen) return Promise.resolve(undefined);
    return owner.run(() => this.catchUpNow(owner));
  }

  /** A catch-up, run by the folder's owner. */
  private async catchUpNow(owner: FolderOwner): Promise<FolderChange | undefined> {
    const path = owner.path;
    if (!owner.view) return undefined;
    const mirrorChange = await this.folderSync.sync(owner, { background: true });
    const view = owner.view;
    if (!view) return undefined;
    const moved = mirrorChange.reset || mirrorChange.added.length + mirrorChange.removed.length + mirrorChange.changed.length > 0;
    if (!moved) {
      this.fill.start(owner);
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
    this.afterSync(owner, change.added.map((m) => m.uid));
    this.fireChange(change);
    return change;
  }

  /**
   * A report of the listening connection: applied to the mirror by the folder's owner, after the
   * work queued before it (so a chunk fetched before the report is stored before it applies), with
   * the others that come with it.
   */
  applyReport(report: MessageReport): void {
    const owner = this.owners.get(report.path);
    if (!owner?.isOpen || this.isDisposed) return;
    owner.addReport(report, (reports) => {
      try {
        this.applyReports(owner, reports);
      } catch (err) {
        // The mirror could not take them: a sync fetches what changed instead.
        this.log.warn(`${owner.path}: live changes not applied (${(err as Error).message}); catching up`);
        this.scheduleCatchUp(owner.path);
      }
    });
  }

  private applyReports(owner: FolderOwner, reports: MessageReport[]): void {
    const path = owner.path;
    if (this.isDisposed || !owner.view) return;
    const outcome = reportOutcome(reports, this.cache.folder(path)?.uidValidity);
    if (outcome.catchUp) {
      this.scheduleCatchUp(path);
      return;
    }
    if (!applyToMirror(this.cache, path, outcome)) return;
    this.fireChange(this.reread(path, owner.view));
    this.followUps.refreshCounts(path);
  }

  /** The window as the mirror holds it now, and what differs from what was shown. */
  private reread(path: string, view: FolderView): FolderChange {
    return view.shown.replaceWith(this.cache.window(path, view.floor));
  }

  private fireChange(change: FolderChange): void {
    if (!isEmptyChange(change)) this.changeEmitter.fire(change);
  }

  /** After a sync that moved the folder: counts, previews of what came, and the rest of the folder in the background. */
  private afterSync(owner: FolderOwner, added: number[]): void {
    this.followUps.refreshCounts(owner.path);
    this.followUps.previews(owner, added);
    this.fill.start(owner);
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
}
