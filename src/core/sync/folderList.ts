/**
 * An account's folders and their counts: the folder tree as the server lists it (with the user's
 * choices of folder roles applied), message and unread counts from LIST-STATUS, STATUS, NOTIFY or
 * the selection, and, on servers without NOTIFY, the polling that keeps those counts current:
 * the watched folders (the Inbox) often, all folders at `pollInterval`.
 */
import type { ListResponse } from 'imapflow';
import type { MailLog } from '../imap/log';
import { DisposableBase, type Disposable } from '../model/events';
import { applySpecialUseOverrides, buildFolderTree, type SpecialUseOverrides } from '../model/folders';
import type { FolderCounts, FolderInfo } from '../model/types';
import type { AccountConnections } from './accountConnections';
import { countsOf, listWithCounts, mergeStatus, statusMoved } from './folderCounts';
import type { WatchedStatus } from './mailboxWatcher';

export interface PollTimings {
  /** Seconds between counts of all folders (no NOTIFY). */
  pollInterval: number;
  /** Seconds between STATUS of the watched folders (no NOTIFY); 0 turns it off. */
  watchedPollSeconds: number;
  watchedFolders: string[];
}

export class FolderList extends DisposableBase {
  private readonly foldersEmitter = this.emitter<FolderInfo[]>();
  readonly onDidChangeFolders = this.foldersEmitter.event;
  private readonly countsEmitter = this.emitter<FolderCounts[]>();
  readonly onDidChangeCounts = this.countsEmitter.event;
  /** A folder's numbers moved (new mail, flags, expunges): open folders catch up on it. */
  private readonly movedEmitter = this.emitter<string>();
  readonly onDidMove = this.movedEmitter.event;

  private tree: FolderInfo[] = [];
  /** The tree as the server lists it, before the user's choices of folder roles. */
  private listed: FolderInfo[] = [];
  private roles: SpecialUseOverrides = {};
  private readonly counts = new Map<string, FolderCounts>();
  private readonly lastStatus = new Map<string, WatchedStatus>();
  private polling: Disposable[] = [];

  constructor(
    private readonly connections: AccountConnections,
    private readonly log: MailLog,
  ) {
    super();
    this.register({ dispose: () => this.stopPolling() });
  }

  get folders(): FolderInfo[] {
    return this.tree;
  }

  countsOf(path: string): FolderCounts | undefined {
    return this.counts.get(path);
  }

  /** LIST with STATUS (RFC 5819) where the server has it, else LIST and STATUS per folder. */
  async refresh(): Promise<FolderInfo[]> {
    const { list, statuses } = await this.listWithCounts();
    this.listed = buildFolderTree(list);
    this.tree = applySpecialUseOverrides(this.listed, this.roles);
    this.foldersEmitter.fire(this.tree);
    this.apply(statuses);
    return this.tree;
  }

  /** The user's choices of what a folder is for (Sent, Trash, …) where the server's attributes or names misled. */
  setRoles(roles: SpecialUseOverrides): void {
    this.roles = roles;
    this.tree = applySpecialUseOverrides(this.listed, roles);
    this.foldersEmitter.fire(this.tree);
  }

  /** Records counts, fires the changed ones, and tells of folders whose numbers moved. */
  apply(statuses: readonly WatchedStatus[]): void {
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
      if (before && statusMoved(before, status)) {
        this.movedEmitter.fire(status.path);
      }
    }
    if (changed.length) {
      this.countsEmitter.fire(changed);
    }
  }

  /** Without NOTIFY, counts are polled: the watched folders often, the rest at `pollInterval`. */
  startPolling(timings: PollTimings): void {
    this.stopPolling();
    this.polling.push(every(timings.pollInterval * 1_000, () => void this.pollAll().catch((err) => this.log.debug(`poll: ${err}`))));
    if (timings.watchedFolders.length && timings.watchedPollSeconds > 0) {
      const pollWatched = () => this.pollWatched(timings.watchedFolders).catch((err) => this.log.debug(`poll of watched folders: ${err}`));
      this.polling.push(every(timings.watchedPollSeconds * 1_000, () => void pollWatched()));
    }
    this.log.info(
      `no NOTIFY: polling ${timings.watchedFolders.join(', ')} every ${timings.watchedPollSeconds} s, all folders every ${timings.pollInterval} s`,
    );
  }

  stopPolling(): void {
    for (const timer of this.polling) timer.dispose();
    this.polling = [];
  }

  private async pollAll(): Promise<void> {
    this.apply((await this.listWithCounts()).statuses);
  }

  /** One STATUS per watched folder (no NOTIFY): their unread counts matter most. */
  private async pollWatched(paths: readonly string[]): Promise<void> {
    this.apply(await this.connections.withSelectionHeld((client, selectedPath) => countsOf(client, selectedPath, paths, this.log)));
  }

  private listWithCounts(): Promise<{ list: ListResponse[]; statuses: WatchedStatus[] }> {
    return this.connections.withSelectionHeld((client, selectedPath) => listWithCounts(client, selectedPath, this.log));
  }
}

/** A timer that stops when disposed; started again on every reconnect, so not registered for good. */
function every(ms: number, work: () => void): Disposable {
  const handle = setInterval(work, ms);
  return { dispose: () => clearInterval(handle) };
}
