/**
 * The message webview's document and its Content Security Policy, as plain strings: no `vscode`
 * import, so plain Node tests (and mutation testing) can read the policy directive by directive.
 *
 * The policy starts from `default-src 'none'` (nothing loads unless a directive allows it) and
 * opens only what the view needs: the extension's own files (`cspSource`), data: images for inline
 * `cid:` parts, inline styles because HTML mail is styled that way, and scripts only with this
 * load's nonce.
 */

export interface WebviewDocumentParts {
  /** `webview.cspSource`: the origin of the extension's own files inside the webview. */
  cspSource: string;
  /** Fresh for every load, so a script injected into one document cannot reuse it. */
  nonce: string;
  scriptUri: string;
  styleUri: string;
}

/** The CSP directives in order, each as `name value…`. */
export function messageCspDirectives(cspSource: string, nonce: string): string[] {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    // Not covered by default-src: no <base> may move relative URLs, no form may post anywhere.
    "base-uri 'none'",
    "form-action 'none'",
  ];
}

export function messageCsp(cspSource: string, nonce: string): string {
  return `${messageCspDirectives(cspSource, nonce).join('; ')};`;
}

/** Attribute values are escaped so that a URI can never end the attribute it sits in. */
function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function webviewDocument(parts: WebviewDocumentParts): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(messageCsp(parts.cspSource, parts.nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <meta name="referrer" content="no-referrer">
  <link rel="stylesheet" href="${attr(parts.styleUri)}">
  <title>Message</title>
</head>
<body>
  <main id="app" aria-busy="true"></main>
  <script nonce="${attr(parts.nonce)}" src="${attr(parts.scriptUri)}"></script>
</body>
</html>`;
}
