/**
 * Unread message rows stand out beyond their icon: a badge and a coloured label, given through a
 * FileDecorationProvider on the rows' `resourceUri`, as GitHub Pull Requests does for its
 * notifications. The URI carries the unread state itself (see `messageUri`), so a flag change
 * gives the row a new URI and VS Code asks again; no change event and no lookup are needed.
 */
import * as vscode from 'vscode';
import { unreadDecoration, UNREAD_QUERY } from './messageRow';

export const MESSAGE_SCHEME = 'mailroom-message';

/** `mailroom-message:/<account>/<folder>/<uidvalidity>/<uid>?unread` (no query when read). */
export function messageUri(ref: { accountId: string; folder: string; uidValidity: string; uid: number }, unread: boolean): vscode.Uri {
  const path = `/${encodeURIComponent(ref.accountId)}/${encodeURIComponent(ref.folder)}/${ref.uidValidity}/${ref.uid}`;
  return vscode.Uri.from({ scheme: MESSAGE_SCHEME, path, query: unread ? UNREAD_QUERY : '' });
}

export class MessageDecorations implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== MESSAGE_SCHEME) return undefined;
    const d = unreadDecoration(uri.query);
    return d && new vscode.FileDecoration(d.badge, d.tooltip, new vscode.ThemeColor(d.color));
  }

  register(): vscode.Disposable {
    return vscode.window.registerFileDecorationProvider(this);
  }
}
