/**
 * Removes every way CSS in a mail body could fetch something: `url(...)`, `image-set(...)`,
 * `@import` and `@font-face`. Mail CSS is read by a small scanner (strings, comments, brackets)
 * rather than the browser's CSSOM so that the same code runs in the webview and in plain Node
 * tests, and a final check over the whole result guards against anything the scanner misread.
 */

/** Looks up a `cid:` reference (RFC 2392) among the message's inline parts. */
export type CidResolver = (contentId: string) => string | undefined;

export interface CssFilterResult {
  css: string;
  /** Declarations, rules or sheets removed because they pointed at a remote resource. */
  remoteBlocked: number;
}

type CssItem = { kind: 'statement'; text: string } | { kind: 'block'; prelude: string; body: string };

type Reference = 'allowed' | 'remote' | 'other';

/** Filters a `style="..."` attribute: a list of declarations. */
export function filterInlineStyle(style: string, resolveCid: CidResolver): CssFilterResult {
  const counter = { remote: 0 };
  const kept = splitItems(stripComments(style))
    .filter((item): item is Extract<CssItem, { kind: 'statement' }> => item.kind === 'statement')
    .map((item) => filterDeclaration(item.text, resolveCid, counter))
    .filter((text) => text.trim() !== '');
  return guard(kept.join(';'), counter.remote);
}

/** Filters the text of a `<style>` element: rules, at-rules and (nested) declarations. */
export function filterStyleSheet(css: string, resolveCid: CidResolver): CssFilterResult {
  const counter = { remote: 0 };
  return guard(filterItems(stripComments(css), resolveCid, counter), counter.remote);
}

function guard(css: string, remote: number): CssFilterResult {
  if (hasForbiddenReference(css)) {
    // The scanner and the browser disagreed about this CSS somewhere: drop all of it.
    return { css: '', remoteBlocked: Math.max(remote, 1) };
  }
  return { css, remoteBlocked: remote };
}

function filterItems(css: string, resolveCid: CidResolver, counter: { remote: number }): string {
  const out: string[] = [];
  for (const item of splitItems(css)) {
    if (item.kind === 'statement') {
      const text = filterDeclaration(item.text, resolveCid, counter);
      if (text.trim()) {
        out.push(`${text};`);
      }
      continue;
    }
    const prelude = decodeEscapes(item.prelude).trim().toLowerCase();
    if (prelude.startsWith('@font-face')) {
      // A web font is a remote resource whether or not it loads; data: fonts may stay.
      const refs = references(item.body);
      if (refs.some((r) => r !== 'allowed')) {
        counter.remote += refs.includes('remote') ? 1 : 0;
        continue;
      }
    }
    if (prelude.includes(':host') || prelude.includes('@import') || references(item.prelude).length) {
      // `:host` would style the element that holds the mail, outside the mail's own box.
      continue;
    }
    out.push(`${item.prelude}{${filterItems(item.body, resolveCid, counter)}}`);
  }
  return out.join('\n');
}

/** Keeps one declaration or at-statement, or returns '' when it would fetch or run something. */
function filterDeclaration(text: string, resolveCid: CidResolver, counter: { remote: number }): string {
  const decoded = decodeEscapes(text).trim().toLowerCase();
  if (decoded.startsWith('@')) {
    if (decoded.startsWith('@import')) {
      counter.remote += 1;
      return '';
    }
    return /^@(charset|layer|namespace)\b/.test(decoded) && !references(text).length ? text : '';
  }
  if (/expression\s*\(|-moz-binding|behavior\s*:/.test(decoded)) {
    return '';
  }
  const withInline = text.replace(/url\(\s*(['"]?)cid:([^'")]*)\1\s*\)/gi, (whole, _q: string, cid: string) => {
    const dataUrl = resolveCid(cid.trim());
    return dataUrl ? `url("${dataUrl}")` : whole;
  });
  const refs = references(withInline);
  if (refs.some((r) => r !== 'allowed')) {
    counter.remote += refs.includes('remote') ? 1 : 0;
    return '';
  }
  return withInline;
}

/** Classifies every URL a piece of CSS mentions. Only `data:` is allowed. */
function references(css: string): Reference[] {
  const decoded = decodeEscapes(css);
  const urls: string[] = [];
  for (const match of decoded.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*))/gi)) {
    urls.push(match[1] ?? match[2] ?? match[3] ?? '');
  }
  // These functions take plain strings as URLs (CSS Images 4).
  if (/(?:image-set|image|cross-fade|src)\s*\(/i.test(decoded)) {
    for (const match of decoded.matchAll(/"([^"]*)"|'([^']*)'/g)) {
      urls.push(match[1] ?? match[2] ?? '');
    }
  }
  return urls.map(classifyUrl);
}

function classifyUrl(url: string): Reference {
  // The URL parser drops tabs and newlines anywhere and treats `\` like `/` (WHATWG URL).
  // eslint-disable-next-line no-control-regex
  const normalized = url.replace(/[\u0000-\u0020]/g, '').replace(/\\/g, '/').toLowerCase();
  if (normalized.startsWith('data:')) {
    return 'allowed';
  }
  if (/^(?:https?:|ftp:|wss?:)?\/\//.test(normalized) || /^https?:/.test(normalized)) {
    return 'remote';
  }
  return 'other';
}

function hasForbiddenReference(css: string): boolean {
  const decoded = decodeEscapes(css).toLowerCase();
  return decoded.includes('@import') || references(css).some((r) => r !== 'allowed');
}

/** Resolves CSS escapes (CSS Syntax 3, 4.3.7) so that `\75 rl(` is seen as `url(`. */
function decodeEscapes(css: string): string {
  return css.replace(/\\([0-9a-fA-F]{1,6})[ \t\r\n\f]?|\\([^\r\n\f])/g, (_m, hex: string | undefined, ch: string | undefined) => {
    if (hex) {
      const code = parseInt(hex, 16);
      return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? '\uFFFD' : String.fromCodePoint(code);
    }
    return ch ?? '';
  });
}

/** Removes comments. They are dropped without a space, so `u/**\/rl(` reads as `url(` here: stricter than CSS. */
function stripComments(css: string): string {
  let out = '';
  let quote = '';
  for (let i = 0; i < css.length; i++) {
    const c = css[i];
    if (quote) {
      out += c;
      if (c === '\\' && i + 1 < css.length) {
        out += css[++i];
      } else if (c === quote) {
        quote = '';
      }
    } else if (c === '/' && css[i + 1] === '*') {
      const end = css.indexOf('*/', i + 2);
      i = end < 0 ? css.length : end + 1;
    } else {
      if (c === '"' || c === "'") {
        quote = c;
      }
      out += c;
    }
  }
  return out;
}

/**
 * Splits CSS into top-level statements (ended by `;`) and blocks (`prelude { body }`), honouring
 * strings, escapes and brackets. Unclosed constructs run to the end, as CSS error recovery does.
 */
function splitItems(css: string): CssItem[] {
  const items: CssItem[] = [];
  let start = 0;
  let quote = '';
  let parens = 0;
  let i = 0;
  const pushStatement = (end: number): void => {
    const text = css.slice(start, end);
    if (text.trim()) {
      items.push({ kind: 'statement', text });
    }
  };
  while (i < css.length) {
    const c = css[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (quote) {
      if (c === quote || c === '\n') {
        quote = '';
      }
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '(') {
      parens++;
    } else if (c === ')') {
      parens = Math.max(0, parens - 1);
    } else if (c === ';' && parens === 0) {
      pushStatement(i);
      start = i + 1;
    } else if (c === '{' && parens === 0) {
      const close = matchingBrace(css, i);
      items.push({ kind: 'block', prelude: css.slice(start, i), body: css.slice(i + 1, close) });
      i = close + 1;
      start = i;
      continue;
    } else if (c === '}' && parens === 0) {
      // A stray closing brace ends nothing at this level; CSS drops it with the statement.
      start = i + 1;
    }
    i++;
  }
  pushStatement(css.length);
  return items;
}

function matchingBrace(css: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < css.length; i++) {
    const c = css[i];
    if (c === '\\') {
      i++;
    } else if (quote) {
      if (c === quote || c === '\n') {
        quote = '';
      }
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '{') {
      depth++;
    } else if (c === '}' && --depth === 0) {
      return i;
    }
  }
  return css.length;
}
