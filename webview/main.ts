/**
 * The message view. It renders what the host sends (see src/shared/protocol.ts) and sends back
 * only intents: open this link, save that attachment. It never navigates and never fetches.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import type { HostMessage } from '../src/shared/protocol';
import type { AttachmentInfo, MessageSummary } from '../src/core/model/types';
import { el } from './dom';
import { plural } from './format';
import { renderBody } from './messageBody';
import { renderHeader, renderSummaryHeader } from './messageHeader';
import { vscode } from './vscodeApi';

type ShowMessage = Extract<HostMessage, { type: 'show' }>;

const root = document.getElementById('app') ?? document.body;

function renderLoading(summary: MessageSummary | undefined): void {
  root.replaceChildren(
    ...(summary ? [renderSummaryHeader(summary)] : []),
    el('div', { className: 'loading', attrs: { role: 'status' } }, el('vscode-progress-ring', { attrs: { 'aria-label': 'Loading message' } }), el('span', { text: 'Loading message…' })),
  );
  root.setAttribute('aria-busy', 'true');
}

function renderMessage({ message, inlineImages }: ShowMessage): void {
  const body = renderBody(message, inlineImages);
  // Inline images shown in the HTML body are not listed again as attachments.
  const shownInline = (a: AttachmentInfo): boolean => message.html !== undefined && !!a.contentId && a.contentId in inlineImages;
  const attachments = message.attachments.filter((a) => !shownInline(a));
  root.replaceChildren(
    renderHeader(message, attachments, (index) => vscode.postMessage({ type: 'downloadAttachment', index })),
    message.offlineCopy
      ? el('div', { className: 'banner info', text: 'Offline copy: the server cannot be reached now, so this is the copy kept when the message was last opened.', attrs: { role: 'note' } })
      : '',
    message.parseWarning ? el('div', { className: 'banner warning', text: message.parseWarning, attrs: { role: 'note' } }) : '',
    body.remoteBlocked > 0
      ? el('div', { className: 'banner info', text: `Remote content blocked (${plural(body.remoteBlocked, 'item', 'items')})`, attrs: { role: 'note' } })
      : '',
    body.element,
  );
  root.removeAttribute('aria-busy');
  vscode.postMessage({ type: 'rendered', uid: message.uid, remoteBlocked: body.remoteBlocked, scriptsRemoved: body.scriptsRemoved });
}

function renderError(title: string, detail: string, summary: MessageSummary | undefined): void {
  root.replaceChildren(
    ...(summary ? [renderSummaryHeader(summary)] : []),
    el('div', { className: 'error', attrs: { role: 'alert' } }, el('h1', { text: title }), el('p', { text: detail })),
  );
  root.removeAttribute('aria-busy');
}

function handle(message: HostMessage): void {
  switch (message.type) {
    case 'loading':
      if (message.state) {
        vscode.setState(message.state);
      }
      renderLoading(message.summary);
      break;
    case 'show':
      if (message.state) {
        vscode.setState(message.state);
      }
      renderMessage(message);
      break;
    case 'error':
      renderError(message.title, message.detail, message.summary);
      break;
  }
}

function isHostMessage(data: unknown): data is HostMessage {
  const type = (data as { type?: unknown } | null)?.type;
  return type === 'loading' || type === 'show' || type === 'error';
}

/**
 * Every link click, in the header or inside the mail's shadow root, becomes a request to the
 * host, which opens http(s) and mailto links outside VS Code. The webview itself never navigates.
 */
function interceptLinks(event: MouseEvent): void {
  const link = event.composedPath().find((node): node is HTMLAnchorElement | HTMLAreaElement => node instanceof HTMLAnchorElement || node instanceof HTMLAreaElement);
  if (!link) {
    return;
  }
  event.preventDefault();
  const href = link.getAttribute('href')?.trim();
  if (event.type === 'click' && href && /^(?:https?|mailto):/i.test(href)) {
    vscode.postMessage({ type: 'openLink', href });
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isHostMessage(event.data)) {
    handle(event.data);
  }
});
document.addEventListener('click', interceptLinks, true);
document.addEventListener('auxclick', interceptLinks, true);
vscode.postMessage({ type: 'ready' });
