/**
 * One sync of an open folder's mirror with the server, as the folder's owner runs it: the server's
 * side of opening a folder and of every catch-up. It picks the connection (a user's open may
 * connect, a catch-up waits for the next connect), asks for a cold folder's newest page behind its
 * SELECT, gives the selection's counts to the folder list, and leaves a first page shown before it
 * is stored with the owner, to store before anything else reads the folder.
 */
import type { MailCache } from '../cache/mailCache';
import type { MailLog } from '../imap/log';
import type { AccountConnections } from './accountConnections';
import type { FolderList } from './folderList';
import { firstPageBehindSelect, syncMirror, type MirrorChange } from './folderMirror';
import type { FolderOwner } from './folderOwner';
import { outcomeText } from './mirrorPlan';

interface SyncOptions {
  /** A first page is left to the owner to store, so that it can be shown first. */
  storeLater?: boolean;
  /** A catch-up, nobody's click: offline, it waits for the next connect (catchUpAll) instead of connecting. */
  background?: boolean;
}

export class FolderSync {
  constructor(
    private readonly connections: AccountConnections,
    private readonly folderList: FolderList,
    private readonly cache: MailCache,
    private readonly log: MailLog,
    private readonly pageSize: number,
  ) {}

  /** Brings the mirror of the owner's folder in line with the server; the owner runs it. */
  async sync(owner: FolderOwner, { storeLater = false, background = false }: SyncOptions = {}): Promise<MirrorChange> {
    const path = owner.path;
    const inFolder = background ? this.connections.inFolderWhileOnline.bind(this.connections) : this.connections.inFolder.bind(this.connections);
    const change = await inFolder(
      path,
      (client, behind) => syncMirror(client, this.cache, { pageSize: this.pageSize, behind, storeLater }),
      // A folder opened cold: its newest page asked for with the SELECT, from the count shown.
      (client) => firstPageBehindSelect(client, this.cache, path, this.pageSize, this.folderList.countsOf(path)?.messages),
    );
    this.logOutcome(path, change);
    if (change.reset) owner.fillHint = change.fillHint;
    // The selection's count is the freshest there is: a STATUS or NOTIFY report may be older.
    this.folderList.apply([{ path, ...change.status }], true);
    const unstored = change.unstored;
    if (unstored) {
      owner.storeLater(() => {
        try {
          unstored();
        } catch (err) {
          // Shown, not kept: the next sync of the folder fetches its first page again.
          this.log.warn(`cache: cannot store the first page of ${path}: ${(err as Error).message}`);
        }
      });
    }
    return change;
  }

  /** A sync that moved the folder is worth a line at info ("INBOX: 3 new"); one that found nothing, at debug. */
  private logOutcome(path: string, change: MirrorChange): void {
    const said = outcomeText(change);
    if (said) this.log.info(`${path}: ${said} (sync: ${change.how})`);
    else this.log.debug(`${path}: up to date (sync: ${change.how})`);
  }
}
