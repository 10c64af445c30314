/**
 * Next and previous message (j / k), and moving on after the open message left its folder. The
 * order is the tree's: the folder's window, newest first, so "next" is the row below. The
 * selection in the tree and the open message move together, as in a mail client's list and reader.
 */
import * as vscode from 'vscode';
import type { SessionRegistry } from '../accounts/sessionRegistry';
import type { MessageRef, MessageSummary } from '../core';
import type { MessagePanel } from '../panels/messagePanel';
import type { MessagePanelRegistry } from '../panels/messagePanelRegistry';
import { FolderNode } from '../tree/folderNode';
import type { MailTreeProvider } from '../tree/mailTreeProvider';
import { MessageNode } from '../tree/messageNode';

export class MessageNavigation {
  constructor(
    private readonly sessions: SessionRegistry,
    private readonly tree: MailTreeProvider,
    private readonly view: vscode.TreeView<unknown>,
    private readonly panels: MessagePanelRegistry,
  ) {}

  register(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand('mailroom.nextMessage', (from?: unknown) => this.step(from, 1)),
      vscode.commands.registerCommand('mailroom.previousMessage', (from?: unknown) => this.step(from, -1)),
    ];
  }

  /** The message `step` rows from `ref` in its folder's window; undefined past either end. */
  neighbour(ref: MessageRef, step: 1 | -1): MessageSummary | undefined {
    const messages = this.sessions.get(ref.accountId)?.loadedMessages(ref.folder)?.messages ?? [];
    const index = messages.findIndex((m) => m.uid === ref.uid);
    return index < 0 ? undefined : messages[index + step];
  }

  /**
   * What to show once `uids` leave their folder: the first row below the last of them that stays,
   * else the first above them, as a mail client's list moves on after archiving.
   */
  successor(accountId: string, folder: string, uids: readonly number[]): MessageSummary | undefined {
    const messages = this.sessions.get(accountId)?.loadedMessages(folder)?.messages ?? [];
    const leaving = new Set(uids);
    const indexes = messages.flatMap((m, i) => (leaving.has(m.uid) ? [i] : []));
    if (!indexes.length) return undefined;
    const below = messages.slice(indexes[indexes.length - 1] + 1).find((m) => !leaving.has(m.uid));
    return below ?? messages.slice(0, indexes[0]).reverse().find((m) => !leaving.has(m.uid));
  }

  /** After rows left the tree: the selection goes to `summary`, and the preview tab follows if it showed one of them. */
  async selectAfterRemoval(accountId: string, folder: string, removed: readonly number[], summary: MessageSummary): Promise<void> {
    const next = refOf(accountId, folder, summary);
    await this.select(next, true);
    const preview = this.panels.previewRef();
    if (preview && preview.accountId === accountId && preview.folder === folder && removed.includes(preview.uid)) this.panels.showPreview(next, summary);
  }

  /** Shows `summary` of `ref`'s folder in `panel`, and selects its row without taking the focus. */
  async showIn(panel: MessagePanel, ref: MessageRef, summary: MessageSummary): Promise<void> {
    const next = refOf(ref.accountId, ref.folder, summary);
    this.panels.showIn(panel, next, summary);
    await this.select(next, false);
  }

  private async step(from: unknown, step: 1 | -1): Promise<void> {
    const selected = this.view.selection[0];
    const panel = this.panels.activePanel();
    if (from === 'panel' || (from !== 'tree' && !selected && panel)) {
      const ref = panel?.messageRef;
      const next = ref && this.neighbour(ref, step);
      if (panel && ref && next) await this.showIn(panel, ref, next);
      return;
    }
    let next: MessageRef | undefined;
    let summary: MessageSummary | undefined;
    if (selected instanceof MessageNode) {
      const ref = refOf(selected.accountId, selected.parent.path, selected.summary);
      summary = this.neighbour(ref, step);
      next = summary && refOf(ref.accountId, ref.folder, summary);
    } else if (selected instanceof FolderNode && step === 1) {
      // On a folder row, "next" goes into it: its newest message.
      summary = this.sessions.get(selected.accountId)?.loadedMessages(selected.path)?.messages[0];
      next = summary && refOf(selected.accountId, selected.path, summary);
    }
    if (!next || !summary) return;
    await this.select(next, true);
    this.panels.showPreview(next, summary);
  }

  private async select(ref: MessageRef, focus: boolean): Promise<void> {
    const node = this.tree.accountNode(ref.accountId)?.folderNode(ref.folder)?.messageNodeFor(ref.uid);
    // A row not drawn yet (its folder collapsed) cannot be selected; the message shows all the same.
    if (node) await Promise.resolve(this.view.reveal(node, { select: true, focus })).catch(() => undefined);
  }
}

export function refOf(accountId: string, folder: string, summary: MessageSummary): MessageRef {
  return { accountId, folder, uid: summary.uid, uidValidity: summary.uidValidity };
}
