/**
 * What follows a sync of an open folder without being needed to show it: its counts, and previews
 * of what came (RFC 8970 PREVIEW). Both ask the server on the command connection after the page is
 * shown; only the previews' write to the mirror is the folder owner's work.
 */
import type { MailCache } from '../cache/mailCache';
import type { MailLog } from '../imap/log';
import { fetchPreviews } from '../imap/previews';
import type { AccountConnections } from './accountConnections';
import type { FolderList } from './folderList';
import type { FolderOwner } from './folderOwner';
import { isWhole } from './folderView';
import { countSelected } from './selectedFolder';

export class FolderFollowUps {
  constructor(
    private readonly connections: AccountConnections,
    private readonly folderList: FolderList,
    private readonly cache: MailCache,
    private readonly log: MailLog,
    /** The previews of an open folder's rows were stored: show them. */
    private readonly previewsStored: (owner: FolderOwner) => void,
  ) {}

  /**
   * Counts of an open folder. From the mirror once it is whole (RFC 3501 6.3.10: no STATUS on the
   * selected folder); before that, from a search of the selection on the command connection.
   */
  refreshCounts(path: string): void {
    if (isWhole(this.cache.folder(path))) {
      this.folderList.apply([{ path, ...this.cache.counts(path) }], true);
      return;
    }
    void this.connections
      .inFolderWhileOnline(path, countSelected)
      .then((counts) => this.folderList.apply([counts], true))
      .catch((err) => this.log.debug(`counts of ${path}: ${err}`));
  }

  /**
   * Previews make the server read message bodies, so they are asked for after the page is shown;
   * the rows then update in place. Only the write is the owner's work: the other work of the folder
   * need not wait for the server to read bodies.
   */
  previews(owner: FolderOwner, uids: readonly number[]): void {
    const path = owner.path;
    if (!uids.length || !this.connections.has('PREVIEW')) return;
    const wanted = this.cache.withoutPreview(path, uids);
    if (!wanted.length) return;
    void this.connections
      .inFolderWhileOnline(path, (client) => fetchPreviews(client, wanted))
      .then((previews) =>
        owner.run(async () => {
          if (!previews.size) return;
          this.cache.setPreviews(path, previews);
          this.previewsStored(owner);
        }),
      )
      .catch((err) => this.log.debug(`previews of ${path}: ${err}`));
  }
}
