/** The base of every node in the Mailroom tree: one class per level, each with a stable id. */
import type * as vscode from 'vscode';

export abstract class TreeNode {
  abstract readonly id: string;
  abstract readonly parent: TreeNode | undefined;
  abstract getTreeItem(): vscode.TreeItem;
  getChildren(): TreeNode[] | Promise<TreeNode[]> {
    return [];
  }
}
