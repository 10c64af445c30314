/**
 * What the tree shows of an open folder: a window on the mirror, from the newest message down to a
 * floor UID that "Load older" lowers, and how much older mail lies below it. Read from the store
 * only: a folder the mirror knows opens the same online or not.
 */
import type { CachedFolder, MailCache } from '../cache/mailCache';
import { LoadedFolder } from '../model/loadedFolder';
import type { MessagePage } from '../model/types';
import type { MirrorChange } from './folderMirror';

/** The window of one open folder: what it showed last (to tell what changed) and where it ends. */
export interface FolderView {
  shown: LoadedFolder;
  /** The window holds every stored message with a UID at or above this. */
  floor: number;
}

/** The mirror has synced a folder at least once: it holds its newest page and the markers after it. */
export function hasPage(kept: CachedFolder | undefined): kept is CachedFolder & { uidValidity: string; uidNext: number; syncedFrom: number } {
  return Boolean(kept?.uidValidity && kept.uidNext && kept.syncedFrom !== undefined);
}

/** The window of `path` as the mirror holds it, from the newest message down `pageSize`; undefined for a folder never synced. */
export function viewFromMirror(cache: MailCache, path: string, pageSize: number): FolderView | undefined {
  const kept = cache.folder(path);
  if (!hasPage(kept)) return undefined;
  const floor = cache.floorFor(path, pageSize) ?? kept.uidNext;
  const shown = new LoadedFolder(path, kept.uidValidity);
  shown.addPage(cache.window(path, floor));
  return { shown, floor };
}

/**
 * The window of a folder whose first page was just fetched: those summaries are all the mirror
 * holds of it (once they are stored, at once or on the next turn), so they are the window, with no
 * need to read them back.
 */
export function viewOfFirstPage(path: string, first: NonNullable<MirrorChange['firstPage']>): FolderView {
  const shown = new LoadedFolder(path, first.uidValidity);
  shown.addPage(first.messages);
  return { shown, floor: first.messages.length ? first.syncedFrom : first.uidNext };
}

/**
 * Whether there is older mail than the window shows, and how much. The window holds every stored
 * message from its floor up, so what the mirror holds below it is the stored count less the
 * window; a mirror not yet whole has more still to fetch, as the server's count tells (that count
 * can be a moment behind, so it is never taken below what is stored). Costs the same in any size
 * of folder: the mirror's counts are kept, not counted.
 */
export function olderThan(cache: MailCache, path: string, view: FolderView, serverCount: number | undefined): { hasOlder: boolean; older: number; total: number } {
  const { kept, total } = mirrorTotals(cache, path, serverCount);
  const older = Math.max(0, total - view.shown.size);
  return { hasOlder: older > 0 || (kept?.syncedFrom ?? 1) > 1, older, total };
}

/** Every summary of the folder is stored: the fill reached its oldest message. */
export function isWhole(kept: CachedFolder | undefined): boolean {
  return kept?.syncedFrom !== undefined && kept.syncedFrom <= 1;
}

/**
 * What the mirror holds of a folder, and how many messages the folder has as far as is known: what
 * is stored once the mirror is whole; before that, the server's count (or the one kept from the
 * last session), never taken below what is stored, as it can be a moment behind.
 */
export function mirrorTotals(cache: MailCache, path: string, serverCount: number | undefined): { kept: CachedFolder | undefined; stored: number; total: number; whole: boolean } {
  const kept = cache.folder(path);
  const stored = cache.counts(path).messages;
  const whole = isWhole(kept);
  return { kept, stored, whole, total: whole ? stored : Math.max(stored, serverCount ?? kept?.messages ?? 0) };
}

/** The page the tree shows: the window and what lies below it. */
export function pageOf(cache: MailCache, path: string, view: FolderView, serverCount: number | undefined): MessagePage {
  return {
    folder: path,
    uidValidity: cache.folder(path)?.uidValidity ?? view.shown.uidValidity,
    messages: view.shown.messages(),
    ...olderThan(cache, path, view, serverCount),
  };
}
