/**
 * The options of the message webview and its document (built in webviewDocument.ts). The policy:
 * nothing loads from anywhere but the extension's own `dist` and `media` folders, scripts run only
 * with this load's nonce, and images may also be data: URLs (inline `cid:` parts).
 */
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { webviewDocument } from './webviewDocument';

export const MESSAGE_VIEW_TYPE = 'mailroom.message';

export function messageWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    enableFindWidget: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function messageIconPath(extensionUri: vscode.Uri): { light: vscode.Uri; dark: vscode.Uri } {
  return {
    light: vscode.Uri.joinPath(extensionUri, 'media', 'message-light.svg'),
    dark: vscode.Uri.joinPath(extensionUri, 'media', 'message-dark.svg'),
  };
}

/** A fresh document for every load, with a fresh nonce. */
export function renderWebviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return webviewDocument({
    cspSource: webview.cspSource,
    nonce: randomBytes(18).toString('hex'),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'message.css')).toString(),
  });
}
