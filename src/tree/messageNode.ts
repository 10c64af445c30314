/** One message: sender (or recipient), date and subject (see messageRow.ts), an icon and a decoration for its state, a tooltip with the details. */
import * as vscode from 'vscode';
import { messageNodeId, type Address, type MessageSummary } from '../core';
import { messageContextValue } from './contextValues';
import { messageUri } from './messageDecorations';
import { rowText, stateIcon } from './messageRow';
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
    const text = rowText(m, this.parent.folder.specialUse, new Date(), vscode.env.language);
    const item = new vscode.TreeItem(text.label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = text.description;
    // The decoration (badge and colour of unread rows) hangs on this URI; see messageDecorations.ts.
    item.resourceUri = messageUri({ accountId: this.accountId, folder: this.parent.path, uidValidity: m.uidValidity, uid: m.uid }, !m.flags.seen);
    const icon = stateIcon(m);
    item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    // The tooltip (with the preview) is filled in by resolveTreeItem on hover, so a preview that
    // arrives later needs no refresh of the row.
    item.contextValue = messageContextValue(m);
    item.accessibilityInformation = { label: text.accessibility };
    item.command = { command: 'mailroom.openMessage', title: 'Open Message', arguments: [this] };
    return item;
  }

  tooltip(): vscode.MarkdownString {
    return tooltip(this.summary);
  }

  /** What the row shows; a change elsewhere in the summary (the preview) does not redraw it. */
  get visibleState(): string {
    const m = this.summary;
    return JSON.stringify([m.subject, m.from, m.to, m.date, m.flags, m.hasAttachment]);
  }
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

function fullAddress(a: Address | undefined): string {
  if (!a) return '(unknown)';
  return a.name && a.address ? `${a.name} <${a.address}>` : a.name || a.address || '(unknown)';
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>$]/g, '\\$&');
}
