/**
 * Builds the folder hierarchy from a LIST response (RFC 3501 6.3.8) using each folder's own
 * delimiter, and orders it the way mail clients do: special-use folders (RFC 6154) first.
 */
import type { ListResponse } from 'imapflow';
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

export function buildFolderTree(list: readonly ListResponse[]): FolderInfo[] {
  const byPath = new Map<string, FolderInfo>();
  const roots: FolderInfo[] = [];
  const sorted = [...list].sort((a, b) => depth(a) - depth(b));
  for (const entry of sorted) {
    const folder: FolderInfo = {
      path: entry.path,
      name: entry.path.toUpperCase() === 'INBOX' ? 'Inbox' : entry.name,
      delimiter: entry.delimiter ?? '',
      specialUse: entry.path.toUpperCase() === 'INBOX' ? 'inbox' : entry.specialUse ? SPECIAL_USE[entry.specialUse] : undefined,
      selectable: !entry.flags.has('\\Noselect') && !entry.flags.has('\\NonExistent'),
      children: [],
    };
    byPath.set(entry.path, folder);
    const parent = entry.parentPath ? parentFolder(entry, byPath, roots) : undefined;
    (parent ? parent.children : roots).push(folder);
  }
  sortFolders(roots);
  return roots;
}

/** Parents missing from LIST (RFC 3501 allows that) are made up as non-selectable containers. */
function parentFolder(entry: ListResponse, byPath: Map<string, FolderInfo>, roots: FolderInfo[]): FolderInfo | undefined {
  const existing = byPath.get(entry.parentPath);
  if (existing || !entry.delimiter) {
    return existing;
  }
  const segments = entry.parentPath.split(entry.delimiter);
  let parent: FolderInfo | undefined;
  for (let i = 1; i <= segments.length; i++) {
    const path = segments.slice(0, i).join(entry.delimiter);
    let folder = byPath.get(path);
    if (!folder) {
      folder = { path, name: segments[i - 1], delimiter: entry.delimiter, selectable: false, children: [] };
      byPath.set(path, folder);
      (parent ? parent.children : roots).push(folder);
    }
    parent = folder;
  }
  return parent;
}

function depth(entry: ListResponse): number {
  return entry.delimiter ? entry.path.split(entry.delimiter).length : 1;
}

function sortFolders(folders: FolderInfo[]): void {
  const rank = (f: FolderInfo) => (f.specialUse ? SPECIAL_USE_ORDER.indexOf(f.specialUse) : SPECIAL_USE_ORDER.length);
  folders.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true }));
  for (const folder of folders) {
    sortFolders(folder.children);
  }
}

export function flattenFolders(folders: readonly FolderInfo[]): FolderInfo[] {
  return folders.flatMap((f) => [f, ...flattenFolders(f.children)]);
}
