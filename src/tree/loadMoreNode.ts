/** "Load 50 older… (1,234 more)" at the bottom of a folder's window; the mirror usually has them already. */
import * as vscode from 'vscode';
import { TreeNode } from './treeNode';
import type { FolderNode } from './folderNode';

export class LoadMoreNode extends TreeNode {
  constructor(
    readonly parent: FolderNode,
    private readonly pageSize: number,
    /** Older messages than the window shows, as far as known. */
    private readonly remaining: number,
  ) {
    super();
  }

  get id(): string {
    return `${this.parent.id}/load-more`;
  }

  getTreeItem(): vscode.TreeItem {
    const next = this.remaining > 0 ? Math.min(this.pageSize, this.remaining) : this.pageSize;
    const item = new vscode.TreeItem(`Load ${next} older…`, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    if (this.remaining > 0) item.description = `${this.remaining.toLocaleString('en-US')} more`;
    item.iconPath = new vscode.ThemeIcon('fold-down');
    item.contextValue = 'loadMore';
    item.command = { command: 'mailroom.loadOlder', title: 'Load Older Messages', arguments: [this.parent] };
    return item;
  }
}
