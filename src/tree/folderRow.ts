/**
 * What a folder row says and whether it can expand, as plain data; no `vscode` import, so plain
 * mocha tests check it (test/unit/folderRow.test.ts).
 */
import type { FolderCounts, FolderInfo, MirrorProgress } from '../core';

/**
 * Whether the row gets an expand arrow. Expanding shows subfolders, then messages; a folder with
 * neither has nothing to show, and an arrow that opens onto "No messages" is a click for nothing.
 * While the counts are unknown the arrow stays: the folder may hold mail.
 */
export function folderExpandable(folder: Pick<FolderInfo, 'selectable' | 'children' | 'hasChildren'>, counts: Pick<FolderCounts, 'messages'> | undefined): boolean {
  if (folder.children.length > 0 || folder.hasChildren) return true;
  if (!folder.selectable) return false;
  return counts === undefined || counts.messages > 0;
}

/**
 * The tooltip names the folder as its row does ("Inbox", not the server's "INBOX"); a folder
 * inside another also gets its full path, which tells two folders of one name apart.
 */
export function folderTooltip(folder: Pick<FolderInfo, 'name' | 'path'>, counts: Pick<FolderCounts, 'messages' | 'unseen'> | undefined, syncing: Pick<MirrorProgress, 'stored' | 'total'> | undefined): string {
  const nested = folder.path !== folder.name && folder.path.toUpperCase() !== 'INBOX';
  return [
    folder.name,
    nested && folder.path,
    counts && `${counts.messages.toLocaleString('en-US')} message${counts.messages === 1 ? '' : 's'}, ${counts.unseen.toLocaleString('en-US')} unread`,
    syncing && `Keeping a copy: ${syncing.stored.toLocaleString('en-US')} of ${syncing.total.toLocaleString('en-US')} messages so far`,
  ]
    .filter(Boolean)
    .join('\n');
}
