/**
 * The Mailroom tree: accounts → folders → messages. Translates session events into the smallest
 * refresh that shows them: one row for a flag change, one folder for new or removed mail, the
 * account for a new folder list or connection state.
 */
import * as vscode from 'vscode';
import { type AccountSession, type FolderChange } from '../core';
import type { SessionRegistry } from '../accounts/sessionRegistry';
import { AccountNode } from './accountNode';
import { FolderNode } from './folderNode';
import { MessageNode } from './messageNode';
import type { TreeNode } from './treeNode';

export class MailTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<TreeNode | undefined | void>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly accountNodes = new Map<string, AccountNode>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly sessions: SessionRegistry) {
    this.subscriptions.push(
      sessions.onDidChangeSessions(() => this.refresh()),
      sessions.onDidCreateSession((session) => this.watch(session)),
    );
    for (const session of sessions.all()) {
      this.watch(session);
    }
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getChildren(node?: TreeNode): vscode.ProviderResult<TreeNode[]> {
    return node ? node.getChildren() : this.accounts();
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  /** Tooltips are built on hover, so late details (previews) never redraw a row. */
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    if (node instanceof MessageNode) {
      item.tooltip = node.tooltip();
    }
    return item;
  }

  accounts(): AccountNode[] {
    const nodes = this.sessions.all().map((session) => {
      const existing = this.accountNodes.get(session.account.id);
      if (existing?.session === session) {
        return existing;
      }
      const node = new AccountNode(session, (n) => this.refresh(n));
      this.accountNodes.set(session.account.id, node);
      return node;
    });
    for (const id of this.accountNodes.keys()) {
      if (!nodes.some((n) => n.accountId === id)) this.accountNodes.delete(id);
    }
    return nodes;
  }

  accountNode(accountId: string): AccountNode | undefined {
    return this.accounts().find((n) => n.accountId === accountId);
  }

  refresh(node?: TreeNode): void {
    this.changeEmitter.fire(node);
  }

  /** A collapsed folder stops being kept up to date; expanding it again loads its newest page. */
  onCollapsed(node: TreeNode): void {
    if (node instanceof FolderNode) {
      node.expanded = false;
      // Collapsed, a parent's row counts its subfolders' unread mail too.
      if (node.folder.selectable) this.reloadFolder(node);
      else this.refresh(node);
    }
  }

  onExpanded(node: TreeNode): void {
    if (node instanceof FolderNode && !node.expanded) {
      node.expanded = true;
      if (node.folder.children.length) this.refresh(node);
    }
  }

  /** Forgets a folder's loaded messages; its next expansion fetches the newest page again. */
  reloadFolder(node: FolderNode): void {
    this.sessions.get(node.accountId)?.closeFolder(node.path);
    node.forgetMessages();
    this.refresh(node);
  }

  private watch(session: AccountSession): void {
    const id = session.account.id;
    const node = () => {
      const n = this.accountNodes.get(id);
      return n?.session === session ? n : undefined;
    };
    this.subscriptions.push(
      session.onDidChangeState(() => this.refresh(node())),
      session.onDidChangeFolders(() => {
        const n = node();
        if (n) {
          n.rebuildFolders();
          this.refresh(n);
        }
      }),
      session.onDidChangeCounts((counts) => {
        for (const c of counts) {
          // Refreshing a folder redraws its rows too: only when its unread count really moved.
          const folder = node()?.folderNode(c.path);
          if (folder?.takeCountsChange()) this.refresh(folder);
          // A collapsed folder above it counts it in its row.
          for (let above = parentPath(session, c.path); above; above = parentPath(session, above)) {
            const parent = node()?.folderNode(above);
            if (parent && !parent.expanded) this.refresh(parent);
          }
        }
      }),
      session.onDidChangeMessages((change) => this.applyChange(node(), change)),
      session.onDidProgress((progress) => {
        // The folder row says how far its mirror has come; its "Load older" row, how many remain.
        const folder = node()?.folderNode(progress.path);
        if (folder) {
          folder.progress = progress;
          this.refresh(folder);
        }
      }),
    );
  }

  private applyChange(account: AccountNode | undefined, change: FolderChange): void {
    const folder = account?.folderNode(change.folder);
    if (!folder) {
      return;
    }
    if (change.reset) {
      folder.forgetMessages();
    }
    if (!change.reset && !change.added.length && !change.removed.length) {
      // Only these rows; a moved unread count arrives as its own counts event.
      for (const row of folder.updateMessages(change.changed)) {
        this.refresh(row);
      }
      return;
    }
    this.refresh(folder);
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.changeEmitter.dispose();
  }
}

/** The path of the folder holding `path`, by the server's delimiter; undefined at the top. */
function parentPath(session: AccountSession, path: string): string | undefined {
  const delimiter = session.folder(path)?.delimiter;
  const cut = delimiter ? path.lastIndexOf(delimiter) : -1;
  return cut > 0 ? path.slice(0, cut) : undefined;
}
