/**
 * The HTML shell and options of the message webview. The policy: nothing loads from anywhere but
 * the extension's own `dist` and `media` folders, scripts run only with this load's nonce, and
 * images may also be data: URLs (inline `cid:` parts). Inline styles are allowed because HTML
 * mail is styled that way; its remote resources are removed before it is rendered.
 */
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';

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
  const nonce = randomBytes(18).toString('hex');
  const scriptUri = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const styleUri = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'message.css'));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    // Not covered by default-src: no <base> may move relative URLs, no form may post anywhere.
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp};">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <meta name="referrer" content="no-referrer">
  <link rel="stylesheet" href="${styleUri.toString()}">
  <title>Message</title>
</head>
<body>
  <main id="app" aria-busy="true"></main>
  <script nonce="${nonce}" src="${scriptUri.toString()}"></script>
</body>
</html>`;
}
