/**
 * One account, as the rest of Mailroom sees it: connect, list folders with their counts, open
 * folders and follow them, read messages, set flags; events say what changed. A small facade over
 * the rooms that do the work (sync: connections, folder list, open folders, the watcher; message:
 * reading; actions: flags). Knows nothing of trees or webviews.
 */
import type { SystemFlag } from '../actions/flags';
import { MailActions, type ActionReceipt, type DeleteOptions, type MoveOptions } from '../actions/mailActions';
import { FolderEdits } from '../actions/folderActions';
import type { CredentialProvider } from '../imap/credentials';
import { connectClient } from '../imap/imapClient';
import { taggedLog, type MailLog } from '../imap/log';
import { readAttachment, type ReadMessage } from '../message/messageReader';
import { readThroughCache } from './readThroughCache';
import { DisposableBase } from '../model/events';
import { nameOfPath, type SpecialUseOverrides } from '../model/folders';
import type { FolderChange } from '../model/loadedFolder';
import type { AccountConfig, ConnectionState, FolderCounts, FolderInfo, MessagePage, MessageSummary } from '../model/types';
import { AccountConnections } from '../sync/accountConnections';
import { FolderList } from '../sync/folderList';
import { Listening } from '../sync/listening';
import { OpenFolders } from '../sync/openFolders';
import { readNewestMessage, type NewestMessage } from '../sync/newestMessage';
import type { MirrorProgress } from '../sync/mirrorFill';
import { MailCache } from '../cache/mailCache';
import type { SessionOptions, Timings } from './sessionOptions';

export type { SessionOptions } from './sessionOptions';

export class AccountSession extends DisposableBase {
  private readonly log: MailLog;
  private readonly connections: AccountConnections;
  private readonly folderList: FolderList;
  private readonly openFolders: OpenFolders;
  private readonly listening: Listening;
  private readonly actions: MailActions;
  private readonly folderEdits: FolderEdits;

  readonly onDidChangeState;
  readonly onDidChangeFolders;
  readonly onDidChangeCounts;
  readonly onDidChangeMessages;
  /** The background fill of a folder's mirror stored another chunk. */
  readonly onDidProgress;
  /** The server refused an action for good: it was taken back in the mirror; the event says so in plain words. */
  readonly onDidFailAction;

  constructor(
    readonly account: AccountConfig,
    credentials: string | CredentialProvider,
    private readonly options: SessionOptions,
  ) {
    super();
    this.log = taggedLog(options.log, `imap ${account.name}`);
    this.connections = this.register(
      new AccountConnections(account, credentials, this.log, {
        prepare: (pair) => this.listening.prepare(pair),
        online: () => this.listening.online(),
        closing: () => this.listening.closing(),
      }, options.backoff, () => this.options.timeout ?? 30, options.idle),
    );
    // Without a file for the mirror (scripts, tests), the session keeps one in memory for its lifetime.
    const cache = options.cache ?? new MailCache(MailCache.IN_MEMORY, { log: this.log, maxBodyBytes: 0 });
    if (!options.cache) this.register({ dispose: () => cache.close() });
    this.folderList = this.register(new FolderList(this.connections, this.log, options.cache, options.firstFoldersWaitMs));
    this.openFolders = this.register(
      new OpenFolders(this.connections, this.folderList, this.log, options.pageSize ?? 50, (path) => this.listening.focus(path), cache, options.fillChunk),
    );
    this.listening = this.register(new Listening(this.connections, this.folderList, () => this.openFolders, this.log, options));
    this.onDidChangeState = this.connections.onDidChangeState;
    this.onDidChangeFolders = this.folderList.onDidChangeFolders;
    this.onDidChangeCounts = this.folderList.onDidChangeCounts;
    this.onDidChangeMessages = this.openFolders.onDidChangeMessages;
    this.onDidProgress = this.openFolders.onDidProgress;
    const openFolders = this.openFolders;
    this.actions = this.register(
      new MailActions(cache, this.connections, () => this.folderList.folders, {
        run: (path, work) => openFolders.runAsOwner(path, work),
        changeMirror: (path, write) => openFolders.changeMirror(path, write),
        catchUp: (path) => openFolders.scheduleCatchUp(path, 0),
        name: (path) => this.folderList.folder(path)?.name ?? nameOfPath(path, this.connections.delimiter()),
      }, this.log),
    );
    this.onDidFailAction = this.actions.onDidFail;
    this.folderEdits = new FolderEdits({
      inInbox: (work) => this.connections.inFolder('INBOX', (client) => work(client)),
      folder: (path) => this.folderList.folder(path),
      topDelimiter: () => this.folderList.folders.find((f) => f.delimiter)?.delimiter,
      refresh: () => this.folderList.refresh(),
      leave: async (paths) => {
        for (const path of paths) if (this.openFolders.isOpen(path)) this.openFolders.close(path);
        await this.listening.leave(paths);
      },
      cache,
    });
  }

  /** Makes folder `name` at the top (`parent` undefined) or inside `parent`, with the server's delimiter; returns its path. */
  createFolder(parent: string | undefined, name: string): Promise<string> {
    return this.folderEdits.create(parent, name);
  }

  /** Renames the last part of `path` to `name` (subfolders move with it); returns the new path. */
  renameFolder(path: string, name: string): Promise<string> {
    return this.folderEdits.rename(path, name);
  }

  /** Deletes folder `path` and its mail for good: ask the user first, with `countsOf(path)`. */
  deleteFolder(path: string): Promise<void> {
    return this.folderEdits.delete(path);
  }

  /** Connects and logs in once, then logs out: used to check an account before it is saved. */
  static async verify(account: AccountConfig, password: string, log: MailLog): Promise<void> {
    const client = await connectClient(account, password, { log });
    await client.logout().catch(() => undefined);
  }

  get connectionState(): ConnectionState {
    return this.connections.connectionState;
  }

  get folders(): FolderInfo[] {
    return this.folderList.folders;
  }

  /** A folder of the list by path; while only the top level is known, only top-level folders. */
  folder(path: string): FolderInfo | undefined {
    return this.folderList.folder(path);
  }

  /** Whether the whole folder hierarchy is known; a connect waits for the top level only. */
  get foldersComplete(): boolean {
    return this.folderList.isComplete;
  }

  /** Whether the top level is still being listed after a connect went on with INBOX (a slow LIST of many folders). */
  get listingFolders(): boolean {
    return this.folderList.isListing;
  }

  /** The whole folder tree: a connect waits for its top level only, the rest loads in the background. */
  wholeFolderTree(): Promise<FolderInfo[]> {
    return this.folderList.whole();
  }

  /** Subfolders of `path`, waiting for the whole folder list if it is still loading. */
  subfoldersOf(path: string): Promise<FolderInfo[]> {
    return this.folderList.childrenOf(path);
  }

  countsOf(path: string): FolderCounts | undefined {
    return this.folderList.countsOf(path);
  }

  /**
   * Asks for the counts of folders being shown (once per connection each); they arrive as
   * `onDidChangeCounts`. Resolves once asked; offline, they are asked after the next connect.
   */
  requestCounts(paths: readonly string[]): Promise<void> {
    return this.folderList.requestCounts(paths);
  }

  /** The window of an open folder, newest first, and how many older messages "Load older" can still show. */
  loadedMessages(path: string): { messages: MessageSummary[]; hasOlder: boolean; older: number } | undefined {
    return this.openFolders.window(path);
  }

  /** Whether the mirror holds a page of `path`: opening it then needs no server. */
  isMirrored(path: string): boolean {
    return this.openFolders.isMirrored(path);
  }

  /** How far the mirror of a folder has come (summaries stored of the folder's messages). */
  mirrorProgress(path: string): MirrorProgress | undefined {
    return this.openFolders.progress(path);
  }

  /** Connects if not connected. Resolves when online; rejects with a MailError otherwise. */
  connect(): Promise<void> {
    return this.connections.connect();
  }

  /** Forgets the backoff and tries now: the user pressed Retry. */
  retry(): Promise<void> {
    return this.connections.retry();
  }

  refreshFolders(): Promise<FolderInfo[]> {
    return this.folderList.refresh();
  }

  /** The user's choices of what a folder is for (Sent, Trash, …) where the server's attributes or names misled. */
  setFolderRoles(roles: SpecialUseOverrides): void {
    this.folderList.setRoles(roles);
  }

  /** Takes new timings and watched folders into use at once. */
  setTimings(timings: Partial<Timings>): void {
    for (const [key, value] of Object.entries(timings) as [keyof Timings, never][]) {
      if (value !== undefined) this.options[key] = value;
    }
    this.listening.retime();
  }

  /** Loads the newest page of `path` and keeps the folder up to date from now on. */
  openFolder(path: string): Promise<MessagePage> {
    return this.openFolders.open(path);
  }

  loadOlder(path: string): Promise<MessagePage> {
    return this.openFolders.loadOlder(path);
  }

  /** The folder was collapsed: stop keeping its window. */
  closeFolder(path: string): void {
    this.openFolders.close(path);
  }

  /** Brings an open folder's window in line with the server and fires what changed. */
  catchUpFolder(path: string): Promise<FolderChange | undefined> {
    return this.openFolders.catchUp(path);
  }

  /**
   * Reads a message from the server and keeps what was shown in the mirror; while the server cannot
   * be reached, the copy kept there (for the same UIDVALIDITY) is shown instead, marked as such.
   */
  readMessage(path: string, uid: number, uidValidity?: string): Promise<ReadMessage> {
    return readThroughCache(this.options.cache, this.connections, path, uid, uidValidity, this.log);
  }

  /**
   * The newest message of `path` (UID, flags, sender, subject), asked on the command connection
   * without opening the folder or moving the listening connection; from the mirror where it holds
   * that UID. Undefined for an empty folder; rejects at once while offline.
   */
  newestMessage(path: string): Promise<NewestMessage | undefined> {
    return this.connections.inFolderWhileOnline(path, (client) => readNewestMessage(client, this.options.cache));
  }

  downloadAttachment(path: string, uid: number, index: number): Promise<{ filename: string; content: Uint8Array }> {
    return this.connections.inFolder(path, (client) => readAttachment(client, uid, index));
  }

  /**
   * Sets or clears a system flag on one message by itself (a message opened is marked read): shown at
   * once, resolved once the server confirmed, and never what a plain `undo()` takes back.
   */
  setFlag(path: string, uid: number, flag: SystemFlag, on: boolean): Promise<void> {
    return this.actions.whenDone(this.actions.setFlag(path, [uid], flag, on, { undoable: false }).id);
  }

  // The user's actions (actions/mailActions.ts). Each shows at once through onDidChangeMessages and
  // returns a receipt; the server's part follows in order, also offline or after a restart.

  /** Sets or clears `flag` on messages of `path`: one STORE per folder. */
  setFlags(path: string, uids: readonly number[], flag: SystemFlag, on: boolean): ActionReceipt {
    return this.actions.setFlag(path, uids, flag, on);
  }

  /** Every message of `path` read: one STORE 1:* +FLAGS (\Seen). */
  markAllRead(path: string): ActionReceipt {
    return this.actions.markAllRead(path);
  }

  /** Moves messages to `target`: one UID MOVE. Throws ActionNeedsConfirmation where only a bare EXPUNGE could do it. */
  moveMessages(path: string, uids: readonly number[], target: string, options?: MoveOptions): ActionReceipt {
    return this.actions.move(path, uids, target, options);
  }

  /** To the Archive folder; throws NoFolderForRole when there is none. */
  archive(path: string, uids: readonly number[], options?: MoveOptions): ActionReceipt {
    return this.actions.archive(path, uids, options);
  }

  /** To the Junk folder; throws NoFolderForRole when there is none. */
  markJunk(path: string, uids: readonly number[], options?: MoveOptions): ActionReceipt {
    return this.actions.junk(path, uids, options);
  }

  /** Whether deleting in `path` deletes for good (Trash itself, or no Trash): ask before `deleteMessages`. */
  deletesForGood(path: string): boolean {
    return this.actions.deletesForGood(path);
  }

  /** To Trash; for good (with `forGood`, else ActionNeedsConfirmation) in Trash or without one. */
  deleteMessages(path: string, uids: readonly number[], options?: DeleteOptions): ActionReceipt {
    return this.actions.delete(path, uids, options);
  }

  /** Undoes action `id`, or the last undoable one: flags, moves, archive, Trash, for 5 minutes. */
  undo(id?: number): Promise<ActionReceipt | undefined> {
    return this.actions.undo(id);
  }

  /** Resolves once the server confirmed action `id`; rejects with the failure in plain words. */
  whenDone(id: number): Promise<void> {
    return this.actions.whenDone(id);
  }

  /** Actions waiting for the server (offline, or in flight), oldest first. */
  pendingActions(): { id: number; description: string }[] {
    return this.actions.pending();
  }
}
