/**
 * A server folder: its subfolders, then its messages newest first, a page at a time. Message nodes
 * are kept by UID so a flag change refreshes just that row.
 */
import * as vscode from 'vscode';
import { type AccountSession, type FolderInfo, folderNodeId, MailError, type MessageSummary, type SpecialUse } from '../core';
import { folderContextValue } from './contextValues';
import { LoadMoreNode } from './loadMoreNode';
import { MessageNode } from './messageNode';
import { NoticeNode } from './noticeNode';
import { TreeNode } from './treeNode';

const ICONS: Record<SpecialUse, string> = {
  inbox: 'inbox',
  sent: 'send',
  drafts: 'edit',
  trash: 'trash',
  junk: 'circle-slash',
  archive: 'archive',
  all: 'mail',
  flagged: 'star-full',
};

export const PAGE_SIZE = 50;

export class FolderNode extends TreeNode {
  private readonly messageNodes = new Map<number, MessageNode>();
  private subfolders: FolderNode[] = [];

  constructor(
    readonly parent: TreeNode,
    readonly accountId: string,
    public folder: FolderInfo,
    private readonly session: AccountSession,
  ) {
    super();
  }

  get id(): string {
    return folderNodeId(this.accountId, this.folder.path);
  }

  get path(): string {
    return this.folder.path;
  }

  /** Reuses subfolder nodes by path, so expansion and selection survive a new folder list. */
  setSubfolders(nodes: FolderNode[]): void {
    this.subfolders = nodes;
  }

  getTreeItem(): vscode.TreeItem {
    const counts = this.session.countsOf(this.folder.path);
    this.shownUnseen = counts?.unseen;
    const item = new vscode.TreeItem(this.folder.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.folder.specialUse ? ICONS[this.folder.specialUse] : 'folder');
    item.description = counts && counts.unseen > 0 ? String(counts.unseen) : undefined;
    item.tooltip = counts
      ? `${this.folder.path}\n${counts.messages} message${counts.messages === 1 ? '' : 's'}, ${counts.unseen} unread`
      : this.folder.path;
    item.contextValue = folderContextValue(this.folder.selectable, counts?.unseen);
    if (!this.folder.selectable && !this.folder.children.length) {
      item.collapsibleState = vscode.TreeItemCollapsibleState.None;
    }
    return item;
  }

  override async getChildren(): Promise<TreeNode[]> {
    if (!this.folder.selectable) {
      return this.subfolders;
    }
    let window = this.session.loadedMessages(this.folder.path);
    if (!window) {
      try {
        const page = await this.session.openFolder(this.folder.path);
        window = { messages: page.messages, hasOlder: page.hasOlder };
      } catch (err) {
        const reason = err instanceof MailError ? err.info.message : (err as Error).message;
        return [
          ...this.subfolders,
          new NoticeNode(this, 'load-failed', `Could not load messages: ${reason}`, {
            icon: 'warning',
            command: { command: 'mailroom.refreshFolder', title: 'Retry', arguments: [this] },
            tooltip: `${reason}\nClick to try again.`,
          }),
        ];
      }
    }
    const messages = window.messages.map((m) => this.messageNode(m));
    const live = new Set(window.messages.map((m) => m.uid));
    for (const uid of this.messageNodes.keys()) {
      if (!live.has(uid)) this.messageNodes.delete(uid);
    }
    const tail: TreeNode[] = window.hasOlder ? [new LoadMoreNode(this, PAGE_SIZE)] : [];
    if (!messages.length && !this.subfolders.length) {
      tail.push(new NoticeNode(this, 'empty', 'No messages', { icon: 'mail-read' }));
    }
    return [...this.subfolders, ...messages, ...tail];
  }

  private messageNode(summary: MessageSummary): MessageNode {
    const existing = this.messageNodes.get(summary.uid);
    if (existing && existing.summary.uidValidity === summary.uidValidity) {
      existing.summary = summary;
      return existing;
    }
    const node = new MessageNode(this, summary);
    this.messageNodes.set(summary.uid, node);
    return node;
  }

  /** Updates rows in place; returns only those whose visible state changed, to refresh. */
  updateMessages(changed: readonly MessageSummary[]): MessageNode[] {
    const nodes: MessageNode[] = [];
    for (const summary of changed) {
      const node = this.messageNodes.get(summary.uid);
      if (node) {
        const before = node.visibleState;
        node.summary = summary;
        if (node.visibleState !== before) nodes.push(node);
      }
    }
    return nodes;
  }

  /** The unread count shown as the description, to tell whether a counts event changes the row. */
  private shownUnseen: number | undefined;

  /** True when the folder's row would look different now; remembers what it will show. */
  takeCountsChange(): boolean {
    const unseen = this.session.countsOf(this.folder.path)?.unseen;
    const changed = unseen !== this.shownUnseen;
    this.shownUnseen = unseen;
    return changed;
  }

  /** Forgets the rows, e.g. when the folder was collapsed or UIDVALIDITY changed. */
  forgetMessages(): void {
    this.messageNodes.clear();
  }

  /** All folder nodes below this one, for lookups by path. */
  *descendants(): Generator<FolderNode> {
    for (const child of this.subfolders) {
      yield child;
      yield* child.descendants();
    }
  }
}
