/**
 * Move to…: a quick pick of the account's folders, filtered as the user types, the folders moved
 * to lately first. The recent list is a machine-local habit, kept in the extension's global state
 * per account, not a setting.
 */
import * as vscode from 'vscode';
import type { AccountSession, FolderInfo } from '../core';
import { folderIcon } from '../tree/folderNode';

const RECENT = 5;
const key = (accountId: string) => `mailroom.recentMoveTargets.${accountId}`;

/** Every selectable folder of the account, the whole tree flattened, in the server's order. */
export async function allFolders(session: AccountSession): Promise<FolderInfo[]> {
  // The list as the tree has it now (folders made since included); the whole of it once known.
  const tree = session.foldersComplete ? session.folders : await session.wholeFolderTree().catch(() => session.folders);
  const out: FolderInfo[] = [];
  const walk = (folders: readonly FolderInfo[]) => {
    for (const folder of folders) {
      if (folder.selectable) out.push(folder);
      walk(folder.children);
    }
  };
  walk(tree);
  return out;
}

export class MoveTargets {
  constructor(private readonly state: vscode.Memento) {}

  recent(accountId: string): string[] {
    return this.state.get<string[]>(key(accountId), []);
  }

  async remember(accountId: string, path: string): Promise<void> {
    const list = [path, ...this.recent(accountId).filter((p) => p !== path)].slice(0, RECENT);
    await this.state.update(key(accountId), list);
  }

  /** Asks where to move messages of `from`; undefined when the user closed the pick. */
  async pick(session: AccountSession, from: readonly string[], count: number): Promise<string | undefined> {
    const folders = (await allFolders(session)).filter((f) => !(from.length === 1 && f.path === from[0]));
    const byPath = new Map(folders.map((f) => [f.path, f]));
    const recent = this.recent(session.account.id).filter((p) => byPath.has(p));
    type Item = vscode.QuickPickItem & { path?: string };
    const item = (f: FolderInfo): Item => ({
      // Named as the tree names it (Inbox, not INBOX); the path tells nested folders apart.
      label: `$(${folderIcon(f.specialUse)}) ${f.path.toUpperCase() === 'INBOX' ? 'Inbox' : f.path}`,
      path: f.path,
    });
    const items: Item[] = [
      ...(recent.length ? [{ label: 'recently used', kind: vscode.QuickPickItemKind.Separator }] : []),
      ...recent.map((p) => item(byPath.get(p)!)),
      ...(recent.length ? [{ label: 'all folders', kind: vscode.QuickPickItemKind.Separator }] : []),
      ...folders.filter((f) => !recent.includes(f.path)).map(item),
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: `Move ${count} message${count === 1 ? '' : 's'} to…`,
      placeHolder: 'Type to filter the folders',
    });
    return picked?.path;
  }
}
