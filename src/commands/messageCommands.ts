/** Commands on folders and messages: open, open in a new tab, page, refresh (actions on mail: mailActionCommands.ts). */
import * as vscode from 'vscode';
import type { SessionRegistry } from '../accounts/sessionRegistry';
import { MailError } from '../core';
import type { MessagePanelRegistry } from '../panels/messagePanelRegistry';
import type { MessageRef } from '../panels/messagePanel';
import { FolderNode } from '../tree/folderNode';
import type { MailTreeProvider } from '../tree/mailTreeProvider';
import { MessageNode } from '../tree/messageNode';

export class MessageCommands {
  constructor(
    private readonly sessions: SessionRegistry,
    private readonly tree: MailTreeProvider,
    private readonly panels: MessagePanelRegistry,
    private readonly view: vscode.TreeView<unknown>,
  ) {}

  register(): vscode.Disposable[] {
    const on = (id: string, run: (...args: never[]) => unknown) => vscode.commands.registerCommand(id, run);
    return [
      on('mailroom.openMessage', (node?: MessageNode) => this.open(node, false)),
      on('mailroom.openMessageInNewTab', (node?: MessageNode) => this.open(node, true)),
      on('mailroom.loadOlder', (folder: FolderNode) => this.guard(this.loadOlder(folder))),
      on('mailroom.refreshFolder', (folder: FolderNode) => this.tree.reloadFolder(folder)),
      on('mailroom.refresh', () => this.guard(this.refreshAll())),
    ];
  }

  private selectedMessage(node: MessageNode | undefined): MessageNode | undefined {
    if (node instanceof MessageNode) return node;
    const selected = this.view.selection.find((n): n is MessageNode => n instanceof MessageNode);
    return selected;
  }

  private async open(node: MessageNode | undefined, pinned: boolean): Promise<void> {
    const target = this.selectedMessage(node);
    if (!target) {
      void vscode.window.showInformationMessage('Select a message in the Mailroom view first.');
      return;
    }
    const ref: MessageRef = {
      accountId: target.accountId,
      folder: target.parent.path,
      uid: target.summary.uid,
      uidValidity: target.summary.uidValidity,
    };
    if (pinned) {
      this.panels.openPinned(ref, target.summary);
    } else {
      this.panels.showPreview(ref, target.summary);
    }
  }

  private async loadOlder(folder: FolderNode): Promise<void> {
    const session = this.sessions.get(folder.accountId);
    if (!session) return;
    await session.loadOlder(folder.path);
    this.tree.refresh(folder);
  }

  private async refreshAll(): Promise<void> {
    await Promise.all(
      this.sessions.all().map(async (session) => {
        if (session.connectionState.kind !== 'online') {
          await session.retry().catch(() => undefined);
        } else {
          await session.refreshFolders();
        }
      }),
    );
    this.tree.refresh();
  }

  /** A command that fails says what went wrong in plain words, never an unhandled rejection. */
  private async guard(work: Promise<unknown>): Promise<void> {
    try {
      await work;
    } catch (err) {
      const message = err instanceof MailError ? err.info.message : (err as Error).message;
      void vscode.window.showErrorMessage(`Mailroom: ${message}`, 'Show Log').then((choice) => {
        if (choice) void vscode.commands.executeCommand('mailroom.showLog');
      });
    }
  }
}
