/**
 * One webview panel showing one message at a time. It loads the message through a
 * `MessageSource`, posts it to the webview once the webview says `ready`, and hands on what the
 * webview asks for (open a link outside VS Code, save an attachment: `webviewRequests`).
 */
import * as vscode from 'vscode';
import { isUnreachable, type MailLog, type MessageContent, messageNodeId, type MessageRef, type MessageSummary } from '../core';
import type { HostMessage, WebviewMessage, WebviewState } from '../shared/protocol';
import { describe, loadErrorMessage } from './messageErrors';
import { messageIconPath, messageWebviewOptions, renderWebviewHtml } from './webviewHtml';
import { openLink, saveAttachment } from './webviewRequests';

/** Which message: a UID is only meaningful with the folder's UIDVALIDITY (RFC 3501 2.3.1.1). */
export type { MessageRef };

/** What a panel needs from an account. The account's session implements it; tests fake it. */
export interface MessageSource {
  fetchMessage(folder: string, uid: number, uidValidity: string): Promise<{ content: MessageContent; inlineImages: Record<string, string> }>;
  downloadAttachment(folder: string, uid: number, index: number): Promise<{ filename: string; content: Uint8Array }>;
  markSeen?(folder: string, uid: number): Promise<void>;
  /** Calls `listener` once the account is online again; a message that failed for want of a link then loads by itself. */
  whenOnline?(listener: () => void): vscode.Disposable;
}

/** The account's source once the accounts are known (a panel restored at startup may ask before), or undefined if there is no such account. */
export type ResolveSource = (accountId: string) => Promise<MessageSource | undefined>;

export interface RenderedInfo {
  uid: number;
  remoteBlocked: number;
  scriptsRemoved: number;
}

/** Panels are keyed by the message's id, the same the tree gives its row. */
export const messageKey = messageNodeId;

const TITLE_LENGTH = 40;

export class MessagePanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  private readonly renderEmitter = new vscode.EventEmitter<RenderedInfo>();
  /** Fires once, when the user closes the panel or the registry disposes it. */
  readonly onDidDispose = this.disposeEmitter.event;
  /** Fires each time the webview has rendered a message. */
  readonly onDidRender = this.renderEmitter.event;

  private webviewReady = false;
  /** What the view shows now; re-posted whenever the webview reloads (it is not retained when hidden). */
  private current: HostMessage | undefined;
  private loadGeneration = 0;
  private ref: MessageRef | undefined;
  private content: MessageContent | undefined;
  private disposed = false;
  /** Waits for the account to come back online, to load the message then. */
  private waitingForLink: vscode.Disposable | undefined;
  lastRendered: RenderedInfo | undefined;
  /** The title of the error the panel shows now, if it shows one. */
  shownError: string | undefined;

  /** The message the panel shows now, once loaded. */
  get shownContent(): MessageContent | undefined {
    return this.content;
  }

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly resolveSource: ResolveSource,
    private readonly log: MailLog,
    public pinned: boolean,
  ) {
    panel.webview.options = messageWebviewOptions(extensionUri);
    panel.iconPath = messageIconPath(extensionUri);
    panel.webview.html = renderWebviewHtml(panel.webview, extensionUri);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((data: unknown) => this.onWebviewMessage(data)),
      panel.onDidChangeViewState(() => {
        // A hidden webview is torn down; it posts `ready` again when it comes back.
        if (!panel.visible) {
          this.webviewReady = false;
        }
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get key(): string | undefined {
    return this.ref ? messageKey(this.ref) : undefined;
  }

  get messageRef(): MessageRef | undefined {
    return this.ref;
  }

  /** What the tree knew of the message when it was opened (undefined for a tab restored after a reload). */
  get summary(): MessageSummary | undefined {
    return this.shownSummary;
  }

  private shownSummary: MessageSummary | undefined;

  /** Loads and shows a message. A newer call wins over one still loading. */
  async show(ref: MessageRef, summary?: MessageSummary): Promise<void> {
    const generation = ++this.loadGeneration;
    const state: WebviewState = { accountId: ref.accountId, folder: ref.folder, uid: ref.uid, uidValidity: ref.uidValidity };
    this.ref = state;
    this.shownSummary = summary;
    this.content = undefined;
    this.lastRendered = undefined;
    this.panel.title = summary ? panelTitle(summary.subject) : 'Loading message…';
    this.post({ type: 'loading', summary, state });
    this.waitingForLink?.dispose();
    this.waitingForLink = undefined;

    const source = await this.resolveSource(ref.accountId);
    if (generation !== this.loadGeneration || this.disposed) {
      return;
    }
    if (!source) {
      this.post({
        type: 'error',
        title: 'This account is not available',
        detail: 'The account this message belongs to is no longer configured in Mailroom. Open the message again from the Mailroom view.',
      });
      return;
    }
    try {
      const { content, inlineImages } = await source.fetchMessage(ref.folder, ref.uid, ref.uidValidity);
      if (generation !== this.loadGeneration || this.disposed) {
        return;
      }
      this.content = content;
      this.panel.title = panelTitle(content.subject);
      this.post({ type: 'show', message: content, options: { blockRemoteContent: true }, inlineImages, state });
      // An offline copy cannot be marked on the server now; it is marked when opened online.
      if (source.markSeen && !summary?.flags.seen && !content.offlineCopy) {
        source.markSeen(ref.folder, ref.uid).catch((err: unknown) => this.log.warn(`could not mark ${messageKey(ref)} as seen: ${describe(err)}`));
      }
    } catch (err) {
      if (generation !== this.loadGeneration || this.disposed) {
        return;
      }
      this.log.warn(`could not load ${messageKey(ref)}: ${describe(err)}`);
      this.panel.title = summary ? panelTitle(summary.subject) : 'Message not available';
      const offline = isUnreachable(err);
      this.post(loadErrorMessage(err, offline && !!source.whenOnline, summary));
      if (offline && source.whenOnline) {
        // Not the message's fault: show it as soon as the account is back.
        this.waitingForLink = source.whenOnline(() => void this.show(ref, summary));
      }
    }
  }

  showError(title: string, detail: string): void {
    this.post({ type: 'error', title, detail });
  }

  reveal(preserveFocus: boolean): void {
    this.panel.reveal(this.panel.viewColumn, preserveFocus);
  }

  dispose(): void {
    this.waitingForLink?.dispose();
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    this.loadGeneration++;
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
    this.renderEmitter.dispose();
    this.disposables.forEach((d) => d.dispose());
    this.panel.dispose();
  }

  private post(message: HostMessage): void {
    this.current = message;
    this.shownError = message.type === 'error' ? message.title : undefined;
    if (this.webviewReady && !this.disposed) {
      void this.panel.webview.postMessage(message);
    }
  }

  private onWebviewMessage(data: unknown): void {
    const message = parseWebviewMessage(data);
    if (!message) {
      this.log.warn(`ignored an unknown message from the message view`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.webviewReady = true;
        if (this.current) {
          void this.panel.webview.postMessage(this.current);
        }
        return;
      case 'rendered':
        this.lastRendered = { uid: message.uid, remoteBlocked: message.remoteBlocked, scriptsRemoved: message.scriptsRemoved };
        this.renderEmitter.fire(this.lastRendered);
        return;
      case 'openLink':
        void openLink(message.href, this.log);
        return;
      case 'downloadAttachment':
        void saveAttachment(this, message.index, this.resolveSource, this.log);
        return;
    }
  }
}

/** Checks a webview message field by field: the webview renders hostile mail, so trust nothing. */
export function parseWebviewMessage(data: unknown): WebviewMessage | undefined {
  if (typeof data !== 'object' || data === null) {
    return undefined;
  }
  const m = data as Record<string, unknown>;
  const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  switch (m.type) {
    case 'ready':
      return { type: 'ready' };
    case 'openLink':
      return typeof m.href === 'string' ? { type: 'openLink', href: m.href } : undefined;
    case 'downloadAttachment':
      return isCount(m.index) ? { type: 'downloadAttachment', index: m.index } : undefined;
    case 'rendered':
      return isCount(m.uid) && isCount(m.remoteBlocked) && isCount(m.scriptsRemoved)
        ? { type: 'rendered', uid: m.uid, remoteBlocked: m.remoteBlocked, scriptsRemoved: m.scriptsRemoved }
        : undefined;
    default:
      return undefined;
  }
}

/** Restored state comes from disk: accept it only in the exact shape the webview stores. */
export function parseWebviewState(state: unknown): MessageRef | undefined {
  if (typeof state !== 'object' || state === null) {
    return undefined;
  }
  const s = state as Record<string, unknown>;
  if (typeof s.accountId === 'string' && typeof s.folder === 'string' && typeof s.uidValidity === 'string' && typeof s.uid === 'number' && Number.isInteger(s.uid) && s.uid > 0) {
    return { accountId: s.accountId, folder: s.folder, uid: s.uid, uidValidity: s.uidValidity };
  }
  return undefined;
}

export function panelTitle(subject: string | undefined): string {
  const text = (subject ?? '').replace(/\s+/g, ' ').trim() || '(no subject)';
  return text.length > TITLE_LENGTH ? `${text.slice(0, TITLE_LENGTH - 1).trimEnd()}…` : text;
}
