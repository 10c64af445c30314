/**
 * The folders the user opened: each keeps a window of its newest messages, caught up with the
 * server whenever the watcher, a count or a reconnect says it moved. Bursts of server events are
 * coalesced into one catch-up per folder; previews (RFC 8970) follow the page.
 */
import { MailError } from '../imap/errors';
import type { MailLog } from '../imap/log';
import { DisposableBase } from '../model/events';
import type { MailCache } from '../cache/mailCache';
import { isEmptyChange, LoadedFolder, type FolderChange } from '../model/loadedFolder';
import type { MessagePage, MessageSummary } from '../model/types';
import type { AccountConnections } from './accountConnections';
import { catchUp, countSelected, loadNewestPage, loadOlderPage, loadPreviews } from './folderPages';
import type { FolderList } from './folderList';

/** A refused catch-up is tried again after 0.5, 1, 2 and 4 s. */
const CATCH_UP_ATTEMPTS = 5;
const CATCH_UP_RETRY_MS = 500;

export class OpenFolders extends DisposableBase {
  private readonly changeEmitter = this.emitter<FolderChange>();
  readonly onDidChangeMessages = this.changeEmitter.event;

  private readonly loaded = new Map<string, LoadedFolder>();
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly connections: AccountConnections,
    private readonly folderList: FolderList,
    private readonly log: MailLog,
    private readonly pageSize: number,
    /** Called once a folder is open: the watcher moves there. */
    private readonly focus: (path: string) => Promise<void>,
    /** The account's mirror: each window is kept there, and shown from there while the server cannot be reached. */
    private readonly cache?: MailCache,
  ) {
    super();
    this.register({ dispose: () => this.cancelPending() });
    this.register(folderList.onDidMove((path) => this.scheduleCatchUp(path)));
  }

  isOpen(path: string): boolean {
    return this.loaded.has(path);
  }

  paths(): string[] {
    return [...this.loaded.keys()];
  }

  /** The loaded window of an open folder, newest first. */
  window(path: string): { messages: MessageSummary[]; hasOlder: boolean } | undefined {
    const folder = this.loaded.get(path);
    return folder && { messages: folder.messages(), hasOlder: folder.hasOlder };
  }

  /** Loads the newest page of `path` and keeps the folder up to date from now on. */
  async open(path: string): Promise<MessagePage> {
    if (this.connections.connectionState.kind !== 'online') {
      // Offline or not connected yet: the window kept from before shows at once; the catch-up
      // after the next connect brings it in line with the server.
      const kept = this.restore(path);
      if (kept) {
        this.loaded.set(path, kept);
        return this.page(kept);
      }
    }
    const folder = await this.connections.inFolder(path, (client) => loadNewestPage(client, this.pageSize));
    this.loaded.set(path, folder);
    this.keep(folder);
    // What changed between the page load and the watcher's EXAMINE reaches no watcher: catch up once it watches.
    void this.focus(path)
      .then(() => this.scheduleCatchUp(path))
      .catch((err) => this.log.warn(`cannot watch ${path}: ${err}`));
    this.refreshCounts(path);
    this.schedulePreviews(path, folder.messages().map((m) => m.uid));
    return this.page(folder);
  }

  async loadOlder(path: string): Promise<MessagePage> {
    const folder = this.loaded.get(path);
    if (!folder) {
      return this.open(path);
    }
    const page = await this.connections.inFolder(path, (client) => loadOlderPage(client, folder, this.pageSize));
    this.keep(folder);
    this.schedulePreviews(path, page.map((m) => m.uid));
    return this.page(folder);
  }

  /** The folder was collapsed: stop keeping its window. */
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

  /** Brings an open folder's window in line with the server and fires what changed. */
  async catchUp(path: string): Promise<FolderChange | undefined> {
    const folder = this.loaded.get(path);
    if (!folder) {
      return undefined;
    }
    const change = await this.connections.inFolder(path, (client) => catchUp(client, folder, this.pageSize));
    // Kept even when nothing changed: the mirror may have been cleared meanwhile.
    this.keep(folder);
    if (!isEmptyChange(change)) {
      this.changeEmitter.fire(change);
      this.refreshCounts(path);
      this.schedulePreviews(path, change.added.map((m) => m.uid));
    }
    return change;
  }

  /** Keeps the window and its markers in the mirror, all in one transaction; a failure is only logged. */
  private keep(folder: LoadedFolder): void {
    try {
      this.cache?.replaceMessages(folder.path, folder.messages(), {
        uidValidity: folder.uidValidity,
        uidNext: folder.uidNext,
        highestModseq: folder.modseq?.toString(),
        mirrored: true,
      });
    } catch (err) {
      this.log.warn(`cache: cannot keep the window of ${folder.path}: ${(err as Error).message}`);
    }
  }

  /** The window kept from before, for the same folder as far as the mirror knows. */
  private restore(path: string): LoadedFolder | undefined {
    try {
      const kept = this.cache?.folder(path);
      if (!kept?.uidValidity || !kept.uidNext) return undefined;
      const messages = this.cache!.page(path, 10_000);
      const folder = new LoadedFolder(path, kept.uidValidity, kept.uidNext);
      folder.modseq = kept.highestModseq ? BigInt(kept.highestModseq) : undefined;
      folder.addPage(messages);
      folder.hasOlder = (this.folderList.countsOf(path)?.messages ?? 0) > messages.length;
      return folder;
    } catch (err) {
      this.log.warn(`cache: cannot read the kept window of ${path}: ${(err as Error).message}`);
      return undefined;
    }
  }

  private page(folder: LoadedFolder): MessagePage {
    return {
      folder: folder.path,
      uidValidity: folder.uidValidity,
      messages: folder.messages(),
      hasOlder: folder.hasOlder,
      total: this.folderList.countsOf(folder.path)?.messages ?? folder.size,
    };
  }

  /**
   * Previews (RFC 8970) make the server read message bodies, so they are asked for after the page
   * is shown; the rows then update in place.
   */
  private schedulePreviews(path: string, uids: number[]): void {
    const folder = this.loaded.get(path);
    if (!folder || !uids.length || !this.connections.has('PREVIEW')) {
      return;
    }
    void this.connections
      .inFolder(path, (client) => loadPreviews(client, folder, uids))
      .then((changed) => {
        if (changed.length && this.loaded.get(path) === folder) {
          this.changeEmitter.fire({ folder: path, added: [], changed, removed: [], reset: false });
        }
      })
      .catch((err) => this.log.debug(`previews of ${path}: ${err}`));
  }

  /** Counts of a folder just used on the command connection, from its selection (no STATUS, RFC 3501 6.3.10). */
  private refreshCounts(path: string): void {
    void this.connections
      .inFolder(path, countSelected)
      .then((counts) => this.folderList.apply([counts]))
      .catch((err) => this.log.debug(`counts of ${path}: ${err}`));
  }
}
