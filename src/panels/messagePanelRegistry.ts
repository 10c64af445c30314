/**
 * Keeps track of the message panels. Like VS Code's preview editors, selecting messages in the
 * tree reuses ONE preview panel; opening a message (double click, command) gives it a panel of
 * its own, keyed by message, which later opens of the same message reveal instead of duplicating.
 * Panels come back after a reload through the `WebviewPanelSerializer`, from the state the
 * webview stored with `setState`.
 */
import * as vscode from 'vscode';
import { type MailLog, type MessageSummary, taggedLog } from '../core';
import { MessagePanel, messageKey, parseWebviewState, type MessageRef, type RenderedInfo, type ResolveSource } from './messagePanel';
import { MESSAGE_VIEW_TYPE, messageWebviewOptions } from './webviewHtml';

export interface PanelInfo {
  key: string;
  title: string;
  pinned: boolean;
  lastRendered?: RenderedInfo;
  /** The title of the error the panel shows instead of a message. */
  error?: string;
  /** The panel shows the copy kept in the mirror, the server being out of reach. */
  offlineCopy?: boolean;
}

export class MessagePanelRegistry implements vscode.Disposable, vscode.WebviewPanelSerializer {
  private preview: MessagePanel | undefined;
  private readonly pinned = new Map<string, MessagePanel>();
  private readonly renderEmitter = new vscode.EventEmitter<PanelInfo>();
  /** Fires whenever a panel's webview has rendered a message (tests wait on it). */
  readonly onDidRender = this.renderEmitter.event;
  private readonly log: MailLog;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly resolveSource: ResolveSource,
    log: MailLog,
  ) {
    this.log = taggedLog(log, 'panel');
  }

  /** Shows a message in the shared preview panel, keeping focus where it is (the tree). */
  showPreview(ref: MessageRef, summary?: MessageSummary): void {
    const key = messageKey(ref);
    const own = this.pinned.get(key);
    if (own) {
      own.reveal(true);
      return;
    }
    if (!this.preview) {
      this.preview = this.createPanel(summary?.subject, false, true);
    } else {
      this.preview.reveal(true);
    }
    if (this.preview.key !== key) {
      void this.preview.show(ref, summary);
    }
  }

  /** Opens a message in a panel of its own, or reveals the one it already has. */
  openPinned(ref: MessageRef, summary?: MessageSummary): void {
    const key = messageKey(ref);
    const own = this.pinned.get(key);
    if (own) {
      own.reveal(false);
      return;
    }
    if (this.preview?.key === key) {
      // Opening the message being previewed keeps that panel, as double-clicking a preview tab does.
      const promoted = this.preview;
      this.preview = undefined;
      promoted.pinned = true;
      this.pinned.set(key, promoted);
      promoted.reveal(false);
      return;
    }
    const panel = this.createPanel(summary?.subject, true, false);
    this.pinned.set(key, panel);
    void panel.show(ref, summary);
  }

  /** The message the shared preview tab shows, if there is one. */
  previewRef(): MessageRef | undefined {
    return this.preview?.messageRef;
  }

  /** The message tab that is the active editor, if one is: the toolbar and the tab's keys act on it. */
  activePanel(): MessagePanel | undefined {
    return [...(this.preview ? [this.preview] : []), ...this.pinned.values()].find((p) => p.panel.active);
  }

  /**
   * Shows another message in `panel` (next / previous, or the next after the open one left its
   * folder), as mail clients do in their reader. A tab of its own is keyed by its new message; if
   * another tab has that message already, that one is revealed instead.
   */
  showIn(panel: MessagePanel, ref: MessageRef, summary?: MessageSummary): void {
    const key = messageKey(ref);
    if (panel.pinned) {
      const own = this.pinned.get(key);
      if (own && own !== panel) {
        own.reveal(false);
        return;
      }
      if (panel.key) this.pinned.delete(panel.key);
      this.pinned.set(key, panel);
    }
    void panel.show(ref, summary);
  }

  /** Closes the tabs of accounts no longer configured: their messages cannot come back. */
  closeAccountsExcept(accountIds: ReadonlySet<string>): void {
    for (const panel of [...(this.preview ? [this.preview] : []), ...this.pinned.values()]) {
      const accountId = panel.messageRef?.accountId;
      if (accountId !== undefined && !accountIds.has(accountId)) {
        this.log.info(`closing the tab of ${panel.key}: its account was removed`);
        panel.dispose();
      }
    }
  }

  /** What each open panel shows; the extension tests read the view through this. */
  activePanels(): PanelInfo[] {
    const panels = [...(this.preview ? [this.preview] : []), ...this.pinned.values()];
    return panels.map((panel) => this.describe(panel));
  }

  async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const ref = parseWebviewState(state);
    const panel = this.adopt(webviewPanel, true);
    if (!ref) {
      panel.showError('This message cannot be shown again', 'The panel was saved without a reference to its message. Open the message again from the Mailroom view.');
      return;
    }
    const key = messageKey(ref);
    if (this.pinned.has(key)) {
      panel.dispose();
      return;
    }
    this.pinned.set(key, panel);
    await panel.show(ref);
  }

  dispose(): void {
    this.preview?.dispose();
    for (const panel of [...this.pinned.values()]) {
      panel.dispose();
    }
    this.pinned.clear();
    this.renderEmitter.dispose();
  }

  private createPanel(subject: string | undefined, pinned: boolean, preserveFocus: boolean): MessagePanel {
    const webviewPanel = vscode.window.createWebviewPanel(
      MESSAGE_VIEW_TYPE,
      subject ?? 'Message',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus },
      messageWebviewOptions(this.extensionUri),
    );
    return this.adopt(webviewPanel, pinned);
  }

  private adopt(webviewPanel: vscode.WebviewPanel, pinned: boolean): MessagePanel {
    const panel = new MessagePanel(webviewPanel, this.extensionUri, this.resolveSource, this.log, pinned);
    panel.onDidRender(() => this.renderEmitter.fire(this.describe(panel)));
    panel.onDidDispose(() => this.forget(panel));
    return panel;
  }

  private forget(panel: MessagePanel): void {
    if (this.preview === panel) {
      this.preview = undefined;
    }
    for (const [key, candidate] of this.pinned) {
      if (candidate === panel) {
        this.pinned.delete(key);
      }
    }
  }

  private describe(panel: MessagePanel): PanelInfo {
    const info: PanelInfo = { key: panel.key ?? '', title: panel.panel.title, pinned: panel.pinned };
    if (panel.lastRendered) {
      info.lastRendered = panel.lastRendered;
    }
    if (panel.shownError) {
      info.error = panel.shownError;
    }
    if (panel.shownContent?.offlineCopy) {
      info.offlineCopy = true;
    }
    return info;
  }
}

/** Creates the registry and registers the serializer that restores message panels after a reload. */
export function registerMessagePanels(context: vscode.ExtensionContext, resolveSource: ResolveSource, log: MailLog): MessagePanelRegistry {
  const registry = new MessagePanelRegistry(context.extensionUri, resolveSource, log);
  context.subscriptions.push(registry, vscode.window.registerWebviewPanelSerializer(MESSAGE_VIEW_TYPE, registry));
  return registry;
}
