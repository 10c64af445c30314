/**
 * The HTML safety policy for mail bodies. Mail HTML is hostile by default: it may try to run
 * script, to phone home when opened (remote images, fonts, CSS), or to dress a link up as a
 * command. DOMPurify does the parsing and the XSS work; the hooks below add the mail-specific
 * rules. The caller hands in the DOM (`window` in the webview, jsdom in tests), so this module
 * reads no global and imports nothing from vscode.
 */
import DOMPurify from 'dompurify';
import type { Config, WindowLike } from 'dompurify';
import { filterInlineStyle, filterStyleSheet, type CidResolver } from './remoteCss';

export type { WindowLike };

export interface SanitizeOptions {
  /** Content-ID (without angle brackets) → `data:` URL of the inline part it names. */
  inlineImages: Record<string, string>;
}

export interface SanitizedHtml {
  html: string;
  /** Remote images, media, stylesheets and fonts that were removed. */
  remoteBlocked: number;
  /** Script elements, event handler attributes and script URLs that were removed. */
  scriptsRemoved: number;
}

/** Value of `data-mailroom-blocked` on an image whose remote source was removed. */
export type BlockedImageKind = 'remote' | 'tracker';
export const BLOCKED_ATTRIBUTE = 'data-mailroom-blocked';

/** Link schemes a click may hand to the host; the host checks again before opening anything. */
const LINK_SCHEME = /^(?:https?|mailto):/i;
const SCRIPT_SCHEME = /^(?:javascript|vbscript|livescript):/i;
// eslint-disable-next-line no-control-regex
const URL_IGNORED_CHARS = /[\u0000-\u0020\u007f-\u009f]/g;

/** Attributes that make a non-link element fetch something. */
const RESOURCE_ATTRIBUTES = new Set(['src', 'srcset', 'lowsrc', 'dynsrc', 'poster', 'background', 'href', 'xlink:href', 'data', 'ping', 'action', 'formaction', 'manifest', 'codebase', 'archive']);

const CONFIG: Config = {
  // HTML only: inline SVG and MathML are where the mutation-XSS tricks live, and mail needs neither.
  USE_PROFILES: { html: true },
  FORBID_TAGS: [
    'script', 'noscript', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'portal',
    'base', 'meta', 'link', 'form', 'input', 'button', 'textarea', 'select', 'option', 'optgroup',
    'datalist', 'keygen', 'dialog', 'template', 'slot',
  ],
  FORBID_ATTR: ['target', 'ping', 'action', 'formaction', 'autofocus', 'srcdoc', 'http-equiv', 'is', 'popover', 'popovertarget'],
  // Keeps a leading <style> (from the mail's <head>) inside the sanitised body.
  FORCE_BODY: true,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  RETURN_TRUSTED_TYPE: false,
};

export function sanitizeMessageHtml(html: string, window: WindowLike, opts: SanitizeOptions): SanitizedHtml {
  const purify = DOMPurify(window);
  let remoteBlocked = 0;
  let scriptsRemoved = 0;
  const resolveCid: CidResolver = (cid) => lookupInlineImage(opts.inlineImages, cid);

  purify.addHook('uponSanitizeElement', (node, data) => {
    if (data.tagName === 'script') {
      scriptsRemoved++;
    } else if (data.tagName === 'style' && node.textContent) {
      const filtered = filterStyleSheet(node.textContent, resolveCid);
      remoteBlocked += filtered.remoteBlocked;
      node.textContent = filtered.css;
    }
  });

  purify.addHook('uponSanitizeAttribute', (_node, data) => {
    const name = data.attrName.toLowerCase();
    const value = data.attrValue.replace(URL_IGNORED_CHARS, '');
    if (name.startsWith('on') || (RESOURCE_ATTRIBUTES.has(name) && SCRIPT_SCHEME.test(value))) {
      scriptsRemoved++;
      data.keepAttr = false;
    }
  });

  purify.addHook('afterSanitizeAttributes', (element) => {
    const tag = element.localName;
    const isLink = tag === 'a' || tag === 'area';
    if (isLink) {
      secureLink(element);
    }
    let remote = tag === 'img' ? secureImage(element, resolveCid) : false;
    for (const name of RESOURCE_ATTRIBUTES) {
      const value = element.getAttribute(name);
      if (value === null || (isLink && name === 'href') || (tag === 'img' && name === 'src')) {
        continue;
      }
      if (name === 'background' && isInlineDataImage(value, resolveCid)) {
        element.setAttribute(name, inlineSource(value, resolveCid) ?? '');
        continue;
      }
      remote = isRemoteReference(value) || remote;
      element.removeAttribute(name);
    }
    const style = element.getAttribute('style');
    if (style !== null) {
      const filtered = filterInlineStyle(style, resolveCid);
      remote = filtered.remoteBlocked > 0 || remote;
      if (filtered.css.trim()) {
        element.setAttribute('style', filtered.css);
      } else {
        element.removeAttribute('style');
      }
    }
    if (remote) {
      remoteBlocked++;
    }
  });

  const clean = purify.sanitize(withoutNulls(html), CONFIG);
  return { html: clean, remoteBlocked, scriptsRemoved };
}

/**
 * NUL has no place in HTML text (the HTML parser replaces it with U+FFFD or drops it), but inside
 * a tag name it turns `<div\0>` into an unknown element that never closes: a body full of NULs
 * becomes thousands of unknown elements nested in one another, and DOMPurify copies each one's
 * whole subtree to unwrap it, which took minutes for 40 KB. Dropped before parsing, the tags
 * read as the elements they spell. The sanitised result has no NUL either way.
 */
function withoutNulls(html: string): string {
  return html.includes('\0') ? html.replaceAll('\0', '') : html;
}

/** Keeps `href` only for web and mail links, and stops the opened page from seeing the webview. */
function secureLink(element: Element): void {
  const href = element.getAttribute('href');
  if (href !== null && !LINK_SCHEME.test(href.replace(URL_IGNORED_CHARS, ''))) {
    element.removeAttribute('href');
  }
  element.setAttribute('rel', 'noopener noreferrer');
}

/**
 * Rewrites an image source: `cid:` to the inline part's data: URL, data: images stay, anything
 * remote is removed and the element marked so the view can show a placeholder with its alt text.
 * Returns true when a remote source was removed.
 */
function secureImage(element: Element, resolveCid: CidResolver): boolean {
  const src = element.getAttribute('src');
  const hadRemoteSrcset = isRemoteReference(element.getAttribute('srcset') ?? '');
  element.removeAttribute('srcset');
  const inline = src === null ? undefined : inlineSource(src, resolveCid);
  if (inline) {
    element.setAttribute('src', inline);
    return hadRemoteSrcset;
  }
  element.removeAttribute('src');
  const remote = (src !== null && isRemoteReference(src)) || hadRemoteSrcset;
  if (remote) {
    const kind: BlockedImageKind = isTrackingPixel(element) ? 'tracker' : 'remote';
    element.setAttribute(BLOCKED_ATTRIBUTE, kind);
    if (!element.hasAttribute('title')) {
      element.setAttribute('title', 'Remote image blocked');
    }
  }
  return remote;
}

/** The data: URL to show for an image source, or undefined when it is not a local image. */
function inlineSource(value: string, resolveCid: CidResolver): string | undefined {
  const compact = value.replace(URL_IGNORED_CHARS, '');
  if (/^cid:/i.test(compact)) {
    return resolveCid(compact.slice(4));
  }
  // SVG is left out: an SVG image cannot run script, but it is one more parser for no gain in mail.
  return /^data:image\/(?:png|gif|jpe?g|webp|bmp|avif);/i.test(compact) ? value.trim() : undefined;
}

function isInlineDataImage(value: string, resolveCid: CidResolver): boolean {
  return inlineSource(value, resolveCid) !== undefined;
}

/** http(s), protocol-relative (`//host`) and backslash variants, which the URL parser treats alike. */
function isRemoteReference(value: string): boolean {
  return value
    .split(',')
    .some((candidate) => /^(?:https?:|ftp:)?[/\\]{2}|^https?:/i.test(candidate.replace(URL_IGNORED_CHARS, '')));
}

/** 1x1 (or smaller) images exist only to report that the mail was opened. */
function isTrackingPixel(element: Element): boolean {
  const size = (name: string): number => parseInt(element.getAttribute(name) ?? '', 10);
  const width = size('width');
  const height = size('height');
  return (width <= 1 && height <= 1) || width === 0 || height === 0;
}

function lookupInlineImage(images: Record<string, string>, contentId: string): string | undefined {
  const own = (key: string): string | undefined => (Object.prototype.hasOwnProperty.call(images, key) ? images[key] : undefined);
  let decoded = contentId;
  try {
    // RFC 2392: a cid URL is the Content-ID with URL encoding applied.
    decoded = decodeURIComponent(contentId);
  } catch {
    // Not valid percent-encoding: look it up as written.
  }
  const found = own(contentId) ?? own(decoded) ?? own(decoded.replace(/^<(.*)>$/, '$1'));
  return found !== undefined && /^data:image\//i.test(found) ? found : undefined;
}
