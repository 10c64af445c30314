/**
 * Dragging messages onto a folder of the same account moves them there: the same Move to… as the
 * menu, with the folder given. Only message rows drag; only selectable folders take them.
 */
import * as vscode from 'vscode';
import { FolderNode } from './folderNode';
import { MessageNode } from './messageNode';
import type { TreeNode } from './treeNode';

/** The tree's own drag type (VS Code's convention: application/vnd.code.tree.<view id, lower case>). */
export const MAIL_DRAG_TYPE = 'application/vnd.code.tree.mailroom.mail';

export class MailDragAndDrop implements vscode.TreeDragAndDropController<TreeNode> {
  readonly dragMimeTypes = [MAIL_DRAG_TYPE];
  readonly dropMimeTypes = [MAIL_DRAG_TYPE];

  handleDrag(source: readonly TreeNode[], data: vscode.DataTransfer): void {
    const messages = source.filter((n): n is MessageNode => n instanceof MessageNode);
    if (messages.length) data.set(MAIL_DRAG_TYPE, new vscode.DataTransferItem(messages));
  }

  async handleDrop(target: TreeNode | undefined, data: vscode.DataTransfer): Promise<void> {
    // Within one tree the item's value is the very array handleDrag set.
    const value = data.get(MAIL_DRAG_TYPE)?.value as unknown;
    if (!(target instanceof FolderNode) || !target.folder.selectable || !Array.isArray(value)) return;
    const messages = value.filter((n): n is MessageNode => n instanceof MessageNode && n.accountId === target.accountId && n.parent.path !== target.path);
    if (!messages.length) return;
    await vscode.commands.executeCommand('mailroom.moveTo', messages[0], messages, { folder: target.path });
  }
}
