/**
 * The background fill of open folders: the rest of a folder's summaries, a chunk at a time, newest
 * first, while the folder is open and the connection holds (the folder's lock is let go between
 * chunks, so the user's own commands come through); the next sync resumes it after a drop or a
 * restart. Also the once-a-session recount of the mirror's kept counts.
 */
import type { MailCache } from '../cache/mailCache';
import type { MailLog } from '../imap/log';
import { DisposableBase } from '../model/events';
import type { AccountConnections } from './accountConnections';
import { fillMirror, type FillHint } from './folderMirror';
import type { FolderList } from './folderList';
import { mirrorTotals } from './folderView';

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
  private readonly filling = new Set<string>();
  /** Folders whose kept counts were counted anew this session. */
  private readonly verified = new Set<string>();

  constructor(
    private readonly connections: AccountConnections,
    private readonly folderList: FolderList,
    private readonly cache: MailCache,
    private readonly log: MailLog,
    /** Summaries stored per chunk; 0: no fill. */
    private readonly chunk: number,
    /** Whether the folder is still open: a closed one stops being filled. */
    private readonly isOpen: (path: string) => boolean,
    /** A chunk of the folder was stored (and its lock let go). */
    private readonly stored: (path: string) => void = () => undefined,
  ) {
    super();
  }

  /** How far the mirror of `path` has come. */
  progress(path: string): MirrorProgress | undefined {
    const { kept, stored, total, whole } = mirrorTotals(this.cache, path, this.folderList.countsOf(path)?.messages);
    return kept?.syncedFrom === undefined ? undefined : { path, stored, total, whole };
  }

  /** Whether a fill of `path` is under way: a chunk it fetched may not be stored yet. */
  isFilling(path: string): boolean {
    return this.filling.has(path);
  }

  /** Fills `path` in the background, unless a fill of it runs already. */
  start(path: string): void {
    if (this.filling.has(path) || this.isDisposed || this.chunk <= 0) return;
    this.filling.add(path);
    void (async () => {
      try {
        let hint: FillHint | undefined;
        while (this.isOpen(path) && !this.isDisposed && this.connections.connectionState.kind === 'online') {
          const step = await this.connections.inFolder(path, (client) => fillMirror(client, this.cache, this.chunk, hint));
          hint = step.hint;
          this.stored(path);
          const progress = this.progress(path);
          if (progress) this.progressEmitter.fire(progress);
          if (step.whole) this.cache.verifyCounts(path);
          if (step.whole || !step.added) break;
          // Let the user's own commands through between chunks.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } catch (err) {
        this.log.debug(`mirror of ${path}: background fill stopped (${err}); the next sync resumes it`);
      } finally {
        this.filling.delete(path);
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
