/**
 * A server folder: its subfolders, then its messages newest first, a page at a time. Message nodes
 * are kept by UID so a flag change refreshes just that row.
 */
import * as vscode from 'vscode';
import { type AccountSession, type FolderInfo, folderNodeId, MailError, type MessageSummary, type MirrorProgress, type SpecialUse } from '../core';
import { folderContextValue } from './contextValues';
import { folderExpandable, folderTooltip } from './folderRow';
import { LoadMoreNode } from './loadMoreNode';
import { MessageNode } from './messageNode';
import { NoticeNode } from './noticeNode';
import { TreeNode } from './treeNode';
import { withViewProgress } from './viewProgress';

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

/** The codicon of a folder, by what it is for; Move to… shows the same. */
export function folderIcon(specialUse: SpecialUse | undefined): string {
  return specialUse ? ICONS[specialUse] : 'folder';
}

export const PAGE_SIZE = 50;

/** Where folder nodes come from: one node per folder path, made when its parent is expanded. */
export interface FolderNodes {
  readonly accountId: string;
  nodeFor(parent: TreeNode, folder: FolderInfo): FolderNode;
  refresh(node: TreeNode): void;
}

export class FolderNode extends TreeNode {
  private readonly messageNodes = new Map<number, MessageNode>();
  /** Made on the first expansion, not before: an account may have 100,000 folders. */
  private subfolders: FolderNode[] | undefined;
  /** Expanded in the view: a collapsed folder with subfolders shows their unread mail too. */
  expanded = false;
  /** The first page of a folder the mirror does not know yet is on its way. */
  private opening = false;
  /** Why the last opening failed, shown once in place of the messages. */
  private openFailure: string | undefined;
  /** How far the folder's mirror has come, as the background fill last said. */
  progress: MirrorProgress | undefined;

  constructor(
    readonly parent: TreeNode,
    private readonly nodes: FolderNodes,
    public folder: FolderInfo,
    private readonly session: AccountSession,
  ) {
    super();
  }

  get accountId(): string {
    return this.nodes.accountId;
  }

  get id(): string {
    return folderNodeId(this.accountId, this.folder.path);
  }

  get path(): string {
    return this.folder.path;
  }

  /** A new folder list came: the subfolders are made again (nodes reused by path) on the next expansion. */
  forgetSubfolders(): void {
    this.subfolders = undefined;
  }

  /** The subfolder nodes, made now if this is the first expansion since the folder list came. */
  private async subfolderNodes(): Promise<FolderNode[]> {
    if (!this.subfolders) {
      const known = this.folder.children.length > 0 || !this.folder.hasChildren;
      // Only the top level is listed yet: its subfolders come with the whole list, loading now.
      const children = known ? this.folder.children : await this.session.subfoldersOf(this.folder.path);
      this.subfolders ??= children.map((child) => this.nodes.nodeFor(this, child));
    }
    return this.subfolders;
  }

  getTreeItem(): vscode.TreeItem {
    const counts = this.session.countsOf(this.folder.path);
    if (!counts && this.folder.selectable) {
      // Counts are asked for the rows being drawn, not for every folder of the account.
      void this.session.requestCounts([this.folder.path]);
    }
    this.shownUnseen = counts?.unseen;
    this.shownEmpty = counts && counts.messages === 0;
    const item = new vscode.TreeItem(this.folder.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(folderIcon(this.folder.specialUse));
    const syncing = this.progress && !this.progress.whole && this.progress.total > 0 ? this.progress : undefined;
    const percent = syncing && Math.min(99, Math.floor((100 * syncing.stored) / syncing.total));
    const inside = this.expanded ? 0 : this.unreadInside();
    item.description =
      [counts && counts.unseen > 0 ? String(counts.unseen) : undefined, inside > 0 && `${inside} inside`, syncing && `syncing ${percent}%`].filter(Boolean).join(' · ') ||
      undefined;
    item.tooltip = folderTooltip(this.folder, counts, syncing);
    item.contextValue = folderContextValue(this.folder.selectable, counts?.unseen, this.path.toUpperCase() === 'INBOX');
    if (!folderExpandable(this.folder, counts)) {
      item.collapsibleState = vscode.TreeItemCollapsibleState.None;
    }
    return item;
  }

  override async getChildren(): Promise<TreeNode[]> {
    const subfolders = await this.subfolderNodes();
    if (!this.folder.selectable) {
      return subfolders;
    }
    let window = this.session.loadedMessages(this.folder.path);
    if (!window && this.session.isMirrored(this.folder.path)) {
      // The mirror knows the folder: its page shows at once, and the sync follows behind.
      window = await this.session.openFolder(this.folder.path).catch(() => undefined);
    }
    if (!window) {
      if (this.openFailure !== undefined) {
        const reason = this.openFailure;
        this.openFailure = undefined;
        return [
          ...subfolders,
          new NoticeNode(this, 'load-failed', `Could not load messages: ${reason}`, {
            icon: 'warning',
            command: { command: 'mailroom.refreshFolder', title: 'Retry', arguments: [this] },
            tooltip: `${reason}\nClick to try again.`,
          }),
        ];
      }
      // No network inside getChildren: the first page loads behind a loading row, which it then replaces.
      this.openInBackground();
      return [...subfolders, new NoticeNode(this, 'loading', 'Loading messages…', { icon: 'loading~spin' })];
    }
    const messages = window.messages.map((m) => this.messageNode(m));
    const live = new Set(window.messages.map((m) => m.uid));
    for (const uid of this.messageNodes.keys()) {
      if (!live.has(uid)) this.messageNodes.delete(uid);
    }
    const tail: TreeNode[] = window.hasOlder ? [new LoadMoreNode(this, PAGE_SIZE, window.older)] : [];
    if (!messages.length && !subfolders.length) {
      tail.push(new NoticeNode(this, 'empty', 'No messages', { icon: 'mail-read' }));
    }
    return [...subfolders, ...messages, ...tail];
  }

  private openInBackground(): void {
    if (this.opening) return;
    this.opening = true;
    // The first page of a big folder can take seconds on a slow server: the view shows it works.
    withViewProgress(() => this.session.openFolder(this.folder.path))
      .catch((err) => {
        this.openFailure = err instanceof MailError ? err.info.message : (err as Error).message;
      })
      .finally(() => {
        this.opening = false;
        this.nodes.refresh(this);
      });
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

  /** The row of message `uid` as last drawn, to select it (next / previous message). */
  messageNodeFor(uid: number): MessageNode | undefined {
    return this.messageNodes.get(uid);
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
  /** Whether the row was drawn as empty (no expand arrow), to tell whether mail arriving changes it. */
  private shownEmpty: boolean | undefined;

  /** True when the folder's row would look different now; remembers what it will show. */
  /**
   * The unread mail of the folders inside this one, as far as their counts are known; the counts of
   * its direct subfolders not known yet are asked for (a collapsed parent draws none of their rows).
   */
  unreadInside(): number {
    const unknown: string[] = [];
    let sum = 0;
    const pending = [...this.folder.children];
    for (let f = pending.pop(); f; f = pending.pop()) {
      const counts = this.session.countsOf(f.path);
      if (counts) sum += counts.unseen;
      else if (f.selectable && this.folder.children.includes(f)) unknown.push(f.path);
      pending.push(...f.children);
    }
    if (unknown.length) void this.session.requestCounts(unknown.slice(0, 50));
    return sum;
  }

  takeCountsChange(): boolean {
    const counts = this.session.countsOf(this.folder.path);
    const empty = counts && counts.messages === 0;
    const changed = counts?.unseen !== this.shownUnseen || empty !== this.shownEmpty;
    this.shownUnseen = counts?.unseen;
    this.shownEmpty = empty;
    return changed;
  }

  /** Forgets the rows, e.g. when the folder was collapsed or UIDVALIDITY changed. */
  forgetMessages(): void {
    this.messageNodes.clear();
  }
}
