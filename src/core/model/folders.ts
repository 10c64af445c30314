/**
 * Builds the folder hierarchy from a LIST response (RFC 3501 6.3.8) using each folder's own
 * delimiter, and orders it the way mail clients do: special-use folders (RFC 6154) first.
 * Servers that mark no special folders get theirs recognised by name (specialUseNames.ts).
 */
import { specialUseByName } from './specialUseNames';
import type { FolderInfo, SpecialUse } from './types';

const SPECIAL_USE: Record<string, SpecialUse> = {
  '\\Inbox': 'inbox',
  '\\Sent': 'sent',
  '\\Drafts': 'drafts',
  '\\Trash': 'trash',
  '\\Junk': 'junk',
  '\\Archive': 'archive',
  '\\All': 'all',
  '\\Flagged': 'flagged',
};

/** The order of special folders at the top of an account. */
export const SPECIAL_USE_ORDER: readonly SpecialUse[] = ['inbox', 'drafts', 'sent', 'archive', 'junk', 'trash', 'flagged', 'all'];

/** A user's choice for one folder, by path: a role, or `none` to show it as an ordinary folder. */
export type SpecialUseOverrides = Readonly<Record<string, SpecialUse | 'none'>>;

/**
 * What the tree needs of one line of a LIST answer. imapflow's `ListResponse` has it, and so has
 * the smaller record the LIST reader makes of each line (`imap/listReader.ts`).
 */
export interface ListEntry {
  path: string;
  name: string;
  delimiter?: string;
  parentPath: string;
  flags: ReadonlySet<string>;
  /** imapflow's guess or the server's mark; only a mark is taken (`markedUse`). */
  specialUse?: string;
  specialUseSource?: string;
}

export function buildFolderTree(list: readonly ListEntry[]): FolderInfo[] {
  const byPath = new Map<string, FolderInfo>();
  const roots: FolderInfo[] = [];
  // Depth computed once per folder: 100,000 folders are sorted here.
  const sorted = list.map((entry) => ({ entry, depth: depth(entry) })).sort((a, b) => a.depth - b.depth);
  const guessed = guessByName(list);
  for (const { entry } of sorted) {
    const folder: FolderInfo = {
      path: entry.path,
      name: entry.path.toUpperCase() === 'INBOX' ? 'Inbox' : entry.name,
      delimiter: entry.delimiter ?? '',
      specialUse: entry.path.toUpperCase() === 'INBOX' ? 'inbox' : (markedUse(entry) ?? guessed.get(entry.path)),
      selectable: isSelectable(entry),
      children: [],
    };
    if (entry.flags.has('\\HasChildren')) {
      folder.hasChildren = true;
    }
    byPath.set(entry.path, folder);
    const parent = entry.parentPath ? parentFolder(entry, byPath, roots) : undefined;
    if (parent) {
      parent.children.push(folder);
      parent.hasChildren = true;
    } else {
      roots.push(folder);
    }
  }
  sortFolders(roots);
  return roots;
}

/**
 * The role the server marks a folder with (RFC 6154 attribute, or XLIST). imapflow also fills
 * `specialUse` from names it knows; those guesses are set aside for ours, which keep to one
 * folder per role at the top of the hierarchy.
 */
function markedUse(entry: ListEntry): SpecialUse | undefined {
  if (entry.specialUse && entry.specialUseSource !== 'name' && entry.specialUseSource !== 'name-guess') {
    return SPECIAL_USE[entry.specialUse];
  }
  const flag = [...entry.flags].find((f) => f !== '\\Inbox' && SPECIAL_USE[f]);
  return flag ? SPECIAL_USE[flag] : undefined;
}

/**
 * Roles no folder is marked with, guessed from names: one folder per role, the best-placed and
 * best-named one. A folder the server marks keeps its role, and a role some folder is marked
 * with is never guessed for another.
 */
function guessByName(list: readonly ListEntry[]): Map<string, SpecialUse> {
  const marked = new Set(list.map(markedUse).filter((use) => use !== undefined));
  const best = new Map<SpecialUse, { path: string; score: number }>();
  for (const entry of list) {
    if (markedUse(entry) || !isSelectable(entry) || entry.path.toUpperCase() === 'INBOX') {
      continue;
    }
    const match = specialUseByName(entry.delimiter ? entry.path.split(entry.delimiter) : [entry.path]);
    if (!match || marked.has(match.role)) {
      continue;
    }
    const current = best.get(match.role);
    if (!current || match.score < current.score || (match.score === current.score && entry.path < current.path)) {
      best.set(match.role, { path: entry.path, score: match.score });
    }
  }
  return new Map([...best].map(([role, { path }]) => [path, role]));
}

function isSelectable(entry: ListEntry): boolean {
  return !entry.flags.has('\\Noselect') && !entry.flags.has('\\NonExistent');
}

/**
 * Applies the user's choice of roles to a folder tree, returning a new tree. A folder given a
 * role takes it from any other folder that had it (two Sent folders would be a puzzle), unless
 * the user gave that one the role too. INBOX stays the inbox (RFC 3501 5.1).
 */
export function applySpecialUseOverrides(tree: readonly FolderInfo[], overrides: SpecialUseOverrides): FolderInfo[] {
  // No choices: the listed tree as it is (sorted when built), not a second copy of 100,000 folders.
  if (!Object.keys(overrides).length) return [...tree];
  const isInbox = (f: FolderInfo) => f.path.toUpperCase() === 'INBOX';
  const chosen = (f: FolderInfo) => (isInbox(f) ? undefined : overrides[f.path]);
  const claimed = new Set(Object.entries(overrides).filter(([path]) => path.toUpperCase() !== 'INBOX').map(([, use]) => use));
  const copyOne = (f: FolderInfo): FolderInfo => {
    const choice = chosen(f);
    let specialUse = f.specialUse;
    if (choice !== undefined) {
      specialUse = choice === 'none' ? undefined : choice;
    } else if (specialUse && !isInbox(f) && claimed.has(specialUse)) {
      specialUse = undefined;
    }
    const folder: FolderInfo = { ...f, children: [] };
    if (specialUse) {
      folder.specialUse = specialUse;
    } else {
      delete folder.specialUse;
    }
    return folder;
  };
  // A stack, not recursion: the depth of the hierarchy is the server's to choose.
  const result = tree.map(copyOne);
  const stack = result.map((copy, i) => ({ copy, original: tree[i] }));
  for (let item = stack.pop(); item; item = stack.pop()) {
    for (const child of item.original.children) {
      const copy = copyOne(child);
      item.copy.children.push(copy);
      stack.push({ copy, original: child });
    }
  }
  sortFolders(result);
  return result;
}

/** Parents missing from LIST (RFC 3501 allows that) are made up as non-selectable containers. */
function parentFolder(entry: ListEntry, byPath: Map<string, FolderInfo>, roots: FolderInfo[]): FolderInfo | undefined {
  const existing = byPath.get(entry.parentPath);
  if (existing || !entry.delimiter) {
    return existing;
  }
  const segments = entry.parentPath.split(entry.delimiter);
  let parent: FolderInfo | undefined;
  let path = '';
  for (let i = 1; i <= segments.length; i++) {
    // Built up one segment at a time: re-joining the prefix each time costs depth² on deep paths.
    path = i === 1 ? segments[0] : `${path}${entry.delimiter}${segments[i - 1]}`;
    let folder = byPath.get(path);
    if (!folder) {
      folder = { path, name: segments[i - 1], delimiter: entry.delimiter, selectable: false, children: [] };
      byPath.set(path, folder);
      if (parent) {
        parent.children.push(folder);
        parent.hasChildren = true;
      } else {
        roots.push(folder);
      }
    }
    parent = folder;
  }
  return parent;
}

function depth(entry: ListEntry): number {
  return entry.delimiter ? entry.path.split(entry.delimiter).length : 1;
}

/** One collator for every comparison: `localeCompare` with options builds one per call. */
const byName = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** Sorts every level in place; iterative, as the hierarchy's depth is the server's to choose. */
function sortFolders(folders: FolderInfo[]): void {
  const rank = (f: FolderInfo) => (f.specialUse ? SPECIAL_USE_ORDER.indexOf(f.specialUse) : SPECIAL_USE_ORDER.length);
  const levels = [folders];
  for (let level = levels.pop(); level; level = levels.pop()) {
    level.sort((a, b) => rank(a) - rank(b) || byName.compare(a.name, b.name));
    for (const folder of level) {
      if (folder.children.length) levels.push(folder.children);
    }
  }
}

/** Every folder of the tree, parents before their children, in tree order. */
export function flattenFolders(folders: readonly FolderInfo[]): FolderInfo[] {
  const out: FolderInfo[] = [];
  const stack = [...folders].reverse();
  for (let folder = stack.pop(); folder; folder = stack.pop()) {
    out.push(folder);
    for (let i = folder.children.length - 1; i >= 0; i--) stack.push(folder.children[i]);
  }
  return out;
}

/**
 * A folder's name as the tree shows it, from its path alone (for a folder no longer listed): "Inbox"
 * for INBOX, else the last part ("INBOX.Lists.GitHub" with "." → "GitHub").
 */
export function nameOfPath(path: string, delimiter: string): string {
  if (path.toUpperCase() === 'INBOX') return 'Inbox';
  const cut = delimiter ? path.lastIndexOf(delimiter) : -1;
  return cut < 0 ? path : path.slice(cut + delimiter.length);
}
