/**
 * The background fill of open folders: the rest of a folder's summaries, a chunk at a time, newest
 * first, while the folder is open and the connection holds. Each chunk is a piece of work of the
 * folder's owner (its queue lets other work of the folder, and the command connection's lock the
 * user's own commands, come through between chunks); the owner keeps where the next chunk ends. The
 * next sync resumes it after a drop or a restart. Also the once-a-session recount of the mirror's
 * kept counts.
 */
import type { MailCache } from '../cache/mailCache';
import type { MailLog } from '../imap/log';
import { lockWaited } from '../imap/imapflowInternals';
import { DisposableBase } from '../model/events';
import type { AccountConnections } from './accountConnections';
import { fillMirror } from './folderMirror';
import type { FolderOwner } from './folderOwner';
import type { FolderList } from './folderList';
import { mirrorTotals } from './folderView';

/** Chunks at most in one piece of the folder owner's work (20,000 summaries at the usual 2,000). */
const CHUNKS_PER_STEP = 10;

/** How long after a folder opens its kept counts are counted anew (once a session). */
const VERIFY_COUNTS_AFTER_MS = 10_000;

/** How far the mirror of a folder has come. */
export interface MirrorProgress {
  path: string;
  /** Summaries stored. */
  stored: number;
  /** Messages in the folder, as last counted. */
  total: number;
  /** Every summary is stored. */
  whole: boolean;
}

export class MirrorFill extends DisposableBase {
  private readonly progressEmitter = this.emitter<MirrorProgress>();
  /** The fill stored another chunk of a folder. */
  readonly onDidProgress = this.progressEmitter.event;
  /** Folders whose kept counts were counted anew this session. */
  private readonly verified = new Set<string>();

  constructor(
    private readonly connections: AccountConnections,
    private readonly folderList: FolderList,
    private readonly cache: MailCache,
    private readonly log: MailLog,
    /** Summaries stored per chunk; 0: no fill. */
    private readonly chunk: number,
  ) {
    super();
  }

  private reportProgress(path: string): void {
    const progress = this.progress(path);
    if (progress) this.progressEmitter.fire(progress);
  }

  /** How far the mirror of `path` has come. */
  progress(path: string): MirrorProgress | undefined {
    const { kept, stored, total, whole } = mirrorTotals(this.cache, path, this.folderList.countsOf(path)?.messages);
    return kept?.syncedFrom === undefined ? undefined : { path, stored, total, whole };
  }

  /** Fills the folder of `owner` in the background while it is open, unless a fill of it runs already. */
  start(owner: FolderOwner): void {
    if (owner.filling || this.isDisposed || this.chunk <= 0) return;
    owner.filling = true;
    const path = owner.path;
    void (async () => {
      try {
        while (owner.isOpen && !this.isDisposed && this.connections.connectionState.kind === 'online') {
          const step = await owner.run(() =>
            this.connections.inFolderWhileOnline(path, (client) => {
              let chunks = 0;
              return fillMirror(client, this.cache, this.chunk, {
                hint: owner.fillHint,
                // Chunks follow each other in one piece of work while nothing else waits for the
                // folder (a report, a sync) or the connection (the user's own commands).
                goOn: () => ++chunks < CHUNKS_PER_STEP && owner.isOpen && !this.isDisposed && !owner.workWaits && !lockWaited(client),
                onStored: () => this.reportProgress(path),
              });
            }),
          );
          owner.fillHint = step.hint;
          if (step.whole) this.cache.verifyCounts(path);
          if (step.whole || !step.added) break;
          // Let the user's own commands through between chunks.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } catch (err) {
        this.log.debug(`mirror of ${path}: background fill stopped (${err}); the next sync resumes it`);
      } finally {
        owner.filling = false;
      }
    })();
  }

  /**
   * The mirror's counts of a folder are kept with each write, not counted; once a session, a while
   * after the folder is first opened, they are counted anew (tens of ms at 100,000), so that a
   * count gone wrong does not last.
   */
  verifyCountsLater(path: string): void {
    if (this.verified.has(path)) return;
    this.verified.add(path);
    const timer = setTimeout(() => {
      if (!this.isDisposed) this.cache.verifyCounts(path);
    }, VERIFY_COUNTS_AFTER_MS);
    timer.unref();
    this.register({ dispose: () => clearTimeout(timer) });
  }
}
