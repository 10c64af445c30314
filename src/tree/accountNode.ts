/** An account: its connection state, and its folders once the server listed them. */
import * as vscode from 'vscode';
import { accountNodeId, type AccountSession, type FolderInfo, type MailErrorInfo } from '../core';
import { accountContextValue } from './contextValues';
import { FolderNode } from './folderNode';
import { NoticeNode } from './noticeNode';
import { TreeNode } from './treeNode';

/** The account row's short word for why it is not connected. */
const FAILURE_WORDS: Partial<Record<MailErrorInfo['code'], string>> = {
  auth: 'sign-in failed',
  'password-needed': 'password needed',
  insecure: 'not encrypted: refused',
};

export class AccountNode extends TreeNode {
  readonly parent = undefined;
  private folderNodes: FolderNode[] = [];
  private readonly byPath = new Map<string, FolderNode>();

  constructor(readonly session: AccountSession) {
    super();
    this.rebuildFolders();
  }

  get accountId(): string {
    return this.session.account.id;
  }

  get id(): string {
    return accountNodeId(this.accountId);
  }

  folderNode(path: string): FolderNode | undefined {
    return this.byPath.get(path);
  }

  allFolderNodes(): FolderNode[] {
    return [...this.byPath.values()];
  }

  /** Builds folder nodes from the session's folder list, reusing the nodes of folders that remain. */
  rebuildFolders(): void {
    const previous = new Map(this.byPath);
    this.byPath.clear();
    const build = (parent: TreeNode, folders: FolderInfo[]): FolderNode[] =>
      folders.map((folder) => {
        const node = previous.get(folder.path) ?? new FolderNode(parent, this.accountId, folder, this.session);
        node.folder = folder;
        this.byPath.set(folder.path, node);
        node.setSubfolders(build(node, folder.children));
        return node;
      });
    this.folderNodes = build(this, this.session.folders);
  }

  getTreeItem(): vscode.TreeItem {
    const account = this.session.account;
    const state = this.session.connectionState;
    const item = new vscode.TreeItem(account.name, vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    const where = `${account.user} on ${account.host}:${account.port}`;
    switch (state.kind) {
      case 'online':
        item.iconPath = new vscode.ThemeIcon('account');
        item.description = account.user;
        item.tooltip = `${where}\nConnected`;
        break;
      case 'connecting':
        item.iconPath = new vscode.ThemeIcon('sync~spin');
        item.description = 'connecting…';
        item.tooltip = `${where}\nConnecting…`;
        break;
      case 'offline':
        item.iconPath = new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('list.warningForeground'));
        item.description = state.retryAt ? `offline, retrying in ${Math.max(1, Math.round((state.retryAt - Date.now()) / 1000))} s` : 'offline';
        item.tooltip = `${where}\nOffline: ${state.reason}`;
        break;
      case 'failed':
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
        item.description = FAILURE_WORDS[state.error.code] ?? 'cannot connect';
        item.tooltip = `${where}\n${state.error.message}`;
        break;
    }
    item.contextValue = accountContextValue(state.kind);
    return item;
  }

  override getChildren(): TreeNode[] {
    const state = this.session.connectionState;
    if (this.folderNodes.length) {
      return this.folderNodes;
    }
    if (state.kind === 'failed') {
      return [
        new NoticeNode(this, 'failed', state.error.message, {
          icon: 'error',
          command: { command: 'mailroom.editAccount', title: 'Edit Account', arguments: [this] },
          tooltip: `${state.error.message}\nClick to edit the account.`,
        }),
      ];
    }
    if (state.kind === 'offline') {
      return [
        new NoticeNode(this, 'offline', `Offline: ${state.reason}`, {
          icon: 'debug-disconnect',
          command: { command: 'mailroom.retryAccount', title: 'Retry', arguments: [this] },
          tooltip: `${state.reason}\nClick to retry now.`,
        }),
      ];
    }
    return [new NoticeNode(this, 'connecting', 'Connecting…', { icon: 'sync~spin' })];
  }
}
