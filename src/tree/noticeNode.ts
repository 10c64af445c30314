/** A leaf that tells the user something in place: a failure, an empty folder, with an action. */
import * as vscode from 'vscode';
import { TreeNode } from './treeNode';

export class NoticeNode extends TreeNode {
  constructor(
    readonly parent: TreeNode,
    private readonly kind: string,
    private readonly text: string,
    private readonly options: { icon?: string; command?: vscode.Command; tooltip?: string } = {},
  ) {
    super();
  }

  get id(): string {
    return `${this.parent.id}/notice/${this.kind}`;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.text, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.options.icon ?? 'info');
    item.command = this.options.command;
    item.tooltip = this.options.tooltip ?? this.text;
    item.contextValue = `notice+${this.kind}`;
    return item;
  }
}
