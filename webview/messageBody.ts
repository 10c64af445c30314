/**
 * The message body. HTML is sanitised (src/core/message/sanitize.ts) and rendered inside a shadow root:
 * the mail's own <style> then cannot restyle the header or the banners, and the view's styles do
 * not leak into the mail. Plain text is escaped by construction (text nodes) with links added.
 */
import type { MessageContent } from '../src/core/model/types';
import { sanitizeMessageHtml } from '../src/core/message/sanitize';
import { el } from './dom';
import { appendLinkifiedText } from './linkify';
import { MAIL_BODY_STYLE } from './mailBodyStyle';

export interface RenderedBody {
  element: HTMLElement;
  remoteBlocked: number;
  scriptsRemoved: number;
}

let mailSheet: CSSStyleSheet | undefined;

export function renderBody(message: MessageContent, inlineImages: Record<string, string>): RenderedBody {
  if (message.html !== undefined && message.html.trim() !== '') {
    const { html, remoteBlocked, scriptsRemoved } = sanitizeMessageHtml(message.html, window, { inlineImages });
    const host = el('div', { className: 'mail-html', attrs: { role: 'document', 'aria-label': 'Message body' } });
    const shadow = host.attachShadow({ mode: 'open' });
    mailSheet ??= createSheet();
    shadow.adoptedStyleSheets = [mailSheet];
    shadow.innerHTML = `<div class="mail-root">${html}</div>`;
    return { element: host, remoteBlocked, scriptsRemoved };
  }
  const text = el('div', { className: 'mail-text', attrs: { role: 'document', 'aria-label': 'Message body' } });
  if (message.text?.trim()) {
    appendLinkifiedText(text, message.text);
  } else {
    text.classList.add('empty');
    text.textContent = 'This message has no text.';
  }
  return { element: text, remoteBlocked: 0, scriptsRemoved: 0 };
}

function createSheet(): CSSStyleSheet {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(MAIL_BODY_STYLE);
  return sheet;
}
