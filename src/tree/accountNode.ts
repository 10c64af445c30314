/** An account: its connection state, and its folders once the server listed them. */
import * as vscode from 'vscode';
import { accountNodeId, type AccountSession, type FolderInfo, type MailErrorInfo } from '../core';
import { accountContextValue } from './contextValues';
import { FolderNode, type FolderNodes } from './folderNode';
import { NoticeNode } from './noticeNode';
import { TreeNode } from './treeNode';

/** The account row's short word for why it is not connected. */
const FAILURE_WORDS: Partial<Record<MailErrorInfo['code'], string>> = {
  auth: 'sign-in failed',
  'password-needed': 'password needed',
  insecure: 'not encrypted: refused',
};

/**
 * Folders of the top level made into nodes at a time: an account with 100,000 folders there shows
 * the first ones and a row that shows more, instead of 100,000 nodes (and tree items) at once.
 */
export const FOLDER_PAGE = 1_000;

export class AccountNode extends TreeNode implements FolderNodes {
  readonly parent = undefined;
  private folderNodes: FolderNode[] = [];
  /** How many folders of the top level are shown. */
  private shownTop = FOLDER_PAGE;
  private readonly byPath = new Map<string, FolderNode>();

  constructor(
    readonly session: AccountSession,
    /** Redraws a node of this account: a folder whose first page came in the background. */
    readonly refresh: (node: TreeNode) => void,
  ) {
    super();
    this.rebuildFolders();
  }

  get accountId(): string {
    return this.session.account.id;
  }

  get id(): string {
    return accountNodeId(this.accountId);
  }

  /** The node of `path` if it was made (its parent was expanded); rows never shown have none. */
  folderNode(path: string): FolderNode | undefined {
    return this.byPath.get(path);
  }

  /** The folder nodes made so far: the top level and the subfolders of folders expanded. */
  allFolderNodes(): FolderNode[] {
    return [...this.byPath.values()];
  }

  /** One node per folder path, so expansion, selection and loaded messages survive a new folder list. */
  nodeFor(parent: TreeNode, folder: FolderInfo): FolderNode {
    let node = this.byPath.get(folder.path);
    if (!node || node.parent !== parent) {
      node = new FolderNode(parent, this, folder, this.session);
      this.byPath.set(folder.path, node);
    }
    node.folder = folder;
    return node;
  }

  /**
   * Takes a new folder list: nodes made so far get their folder's new details, or go with it; only
   * the top level is made now, subfolders when their parent is expanded.
   */
  rebuildFolders(): void {
    for (const [path, node] of this.byPath) {
      const folder = this.session.folder(path);
      if (folder) {
        node.folder = folder;
        node.forgetSubfolders();
      } else {
        this.byPath.delete(path);
      }
    }
    this.folderNodes = this.session.folders.slice(0, this.shownTop).map((folder) => this.nodeFor(this, folder));
    // A node whose top-level folder is no longer on the page shown (a longer list came in sorted,
    // special folders first) goes too: nodes are made only for what is shown.
    const shown = new Set<TreeNode>(this.folderNodes);
    for (const [path, node] of this.byPath) {
      let top: TreeNode = node;
      while (top.parent && top.parent !== this) top = top.parent;
      if (!shown.has(top)) this.byPath.delete(path);
    }
  }

  /** The "Show more folders" row was clicked: the next page of the top level. */
  showMoreFolders(): void {
    this.shownTop += FOLDER_PAGE;
    this.rebuildFolders();
    this.refresh(this);
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
      if (this.session.listingFolders) {
        // The connect went on with INBOX while a slow server lists the rest.
        return [...this.folderNodes, new NoticeNode(this, 'listing-folders', 'Listing the other folders…', { icon: 'loading~spin' })];
      }
      const more = this.session.folders.length - this.folderNodes.length;
      if (more <= 0) return this.folderNodes;
      const next = Math.min(FOLDER_PAGE, more);
      return [
        ...this.folderNodes,
        new NoticeNode(this, 'more-folders', `Show ${next.toLocaleString('en-US')} more folders…`, {
          icon: 'fold-down',
          command: { command: 'mailroom.showMoreFolders', title: 'Show More Folders', arguments: [this] },
          tooltip: `${more.toLocaleString('en-US')} more folders at the top level`,
        }),
      ];
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
