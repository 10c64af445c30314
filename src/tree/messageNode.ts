/** One message: subject, sender and date, an icon for its state, a tooltip with the details. */
import * as vscode from 'vscode';
import { messageNodeId, type Address, type MessageSummary } from '../core';
import { messageContextValue } from './contextValues';
import { TreeNode } from './treeNode';
import type { FolderNode } from './folderNode';

export class MessageNode extends TreeNode {
  constructor(
    readonly parent: FolderNode,
    public summary: MessageSummary,
  ) {
    super();
  }

  get id(): string {
    return messageNodeId({ accountId: this.accountId, folder: this.parent.path, uidValidity: this.summary.uidValidity, uid: this.summary.uid });
  }

  get accountId(): string {
    return this.parent.accountId;
  }

  getTreeItem(): vscode.TreeItem {
    const m = this.summary;
    const item = new vscode.TreeItem(m.subject, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = `${displayName(m.from)} · ${shortDate(m.date)}`;
    item.iconPath = stateIcon(m);
    // The tooltip (with the preview) is filled in by resolveTreeItem on hover, so a preview that
    // arrives later needs no refresh of the row.
    item.contextValue = messageContextValue(m);
    item.accessibilityInformation = { label: `${m.flags.seen ? '' : 'Unread, '}${m.subject}, from ${displayName(m.from)}, ${shortDate(m.date)}` };
    item.command = { command: 'mailroom.openMessage', title: 'Open Message', arguments: [this] };
    return item;
  }

  tooltip(): vscode.MarkdownString {
    return tooltip(this.summary);
  }

  /** What the row shows; a change elsewhere in the summary (the preview) does not redraw it. */
  get visibleState(): string {
    const m = this.summary;
    return JSON.stringify([m.subject, m.from, m.date, m.flags, m.hasAttachment]);
  }
}

/** One icon says the most important state: flagged, unread, answered, with attachment, read. */
function stateIcon(m: MessageSummary): vscode.ThemeIcon {
  if (m.flags.flagged) return new vscode.ThemeIcon('star-full', new vscode.ThemeColor('charts.orange'));
  if (!m.flags.seen) return new vscode.ThemeIcon('mail', new vscode.ThemeColor('charts.blue'));
  if (m.flags.answered) return new vscode.ThemeIcon('reply');
  if (m.hasAttachment) return new vscode.ThemeIcon('attach');
  return new vscode.ThemeIcon('mail-read');
}

function tooltip(m: MessageSummary): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.supportHtml = false;
  md.appendMarkdown(`**${escape(m.subject)}**\n\n`);
  md.appendMarkdown(`From: ${escape(fullAddress(m.from))}  \n`);
  if (m.to.length) md.appendMarkdown(`To: ${escape(m.to.map(fullAddress).join(', '))}  \n`);
  if (m.date) md.appendMarkdown(`Date: ${escape(new Date(m.date).toLocaleString(vscode.env.language))}  \n`);
  const states = [!m.flags.seen && 'unread', m.flags.flagged && 'flagged', m.flags.answered && 'answered', m.hasAttachment && 'has attachments'].filter(Boolean);
  if (states.length) md.appendMarkdown(`$(info) ${states.join(', ')}  \n`);
  if (m.preview) md.appendMarkdown(`\n---\n\n${escape(m.preview)}`);
  return md;
}

export function displayName(a: Address | undefined): string {
  return a?.name || a?.address || '(unknown sender)';
}

function fullAddress(a: Address | undefined): string {
  if (!a) return '(unknown)';
  return a.name && a.address ? `${a.name} <${a.address}>` : a.name || a.address || '(unknown)';
}

/** 14:05 today, 12 Nov this year, 12 Nov 2024 before. */
export function shortDate(iso: string | undefined, now = new Date()): string {
  if (!iso) return '';
  const date = new Date(iso);
  const locale = vscode.env.language;
  if (date.toDateString() === now.toDateString()) {
    return date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  }
  if (date.getFullYear() === now.getFullYear()) {
    return date.toLocaleDateString(locale, { day: 'numeric', month: 'short' });
  }
  return date.toLocaleDateString(locale, { day: 'numeric', month: 'short', year: 'numeric' });
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>$]/g, '\\$&');
}
