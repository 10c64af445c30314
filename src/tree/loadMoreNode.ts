/** "Load 50 older…" at the bottom of a folder whose older messages are not fetched yet. */
import * as vscode from 'vscode';
import { TreeNode } from './treeNode';
import type { FolderNode } from './folderNode';

export class LoadMoreNode extends TreeNode {
  constructor(
    readonly parent: FolderNode,
    private readonly pageSize: number,
  ) {
    super();
  }

  get id(): string {
    return `${this.parent.id}/load-more`;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(`Load ${this.pageSize} older…`, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('fold-down');
    item.contextValue = 'loadMore';
    item.command = { command: 'mailroom.loadOlder', title: 'Load Older Messages', arguments: [this.parent] };
    return item;
  }
}
