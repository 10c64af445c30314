/**
 * Removes every way CSS in a mail body could fetch something: `url(...)`, `image-set(...)`,
 * `@import` and `@font-face`. Mail CSS is read by a small scanner (strings, comments, brackets)
 * rather than the browser's CSSOM so that the same code runs in the webview and in plain Node
 * tests, and a final check over the whole result guards against anything the scanner misread.
 */

import { decodeEscapes, splitItems, stripComments, type CssItem } from './cssScanner';

/** Looks up a `cid:` reference (RFC 2392) among the message's inline parts. */
export type CidResolver = (contentId: string) => string | undefined;

export interface CssFilterResult {
  css: string;
  /** Declarations, rules or sheets removed because they pointed at a remote resource. */
  remoteBlocked: number;
}

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

/** One open `prelude { ... }` block while a style sheet is scanned. */
interface Frame {
  /** Brace position of the block in the scanned text; -1 for the sheet itself. */
  open: number;
  /** Where the current statement (or the next prelude) starts. */
  start: number;
  quote: string;
  parens: number;
  /** `{` met inside brackets: not a block here, but its `}` does not close this block either. */
  strayBraces: number;
  /** Inside a dropped block: scanned, never written, never judged. */
  inDropped: boolean;
  /** Dropped for its prelude (`:host`, `@import`, a URL), or inside a dropped block. */
  skip: boolean;
  fontFace: boolean;
  prelude: string;
  /** Length of the output before this block was written, to take it back (a remote `@font-face`). */
  mark: number;
  /** Items written in this block, to separate them with newlines. */
  written: number;
  remote: number;
  /** URLs anywhere in the block, nested blocks included: an `@font-face` is dropped by them. */
  refs: Mentions;
}

/**
 * Filters rules, at-rules and nested declarations in one pass with an explicit stack of open
 * blocks. Mail CSS can nest braces thousands deep; a recursive walk would overflow the stack, and
 * one that re-reads each block's body would cost depth × length.
 */
function filterItems(css: string, resolveCid: CidResolver, counter: { remote: number }): string {
  const output: string[] = [];
  const frame = (open: number, parent: Frame | undefined, prelude: string): Frame => ({
    open, start: open + 1, quote: '', parens: 0, strayBraces: 0, inDropped: parent?.skip ?? false, skip: parent?.skip ?? false, fontFace: false,
    prelude, mark: output.length, written: 0, remote: 0, refs: { urls: new Set(), strings: new Set(), takesStrings: false },
  });
  const stack: Frame[] = [frame(-1, undefined, '')];
  const write = (into: Frame, text: string): void => {
    output.push(into.written++ ? `\n${text}` : text);
  };
  const endStatement = (current: Frame, end: number): void => {
    const text = css.slice(current.start, end);
    if (!text.trim()) {
      return;
    }
    addMentions(current.refs, mentions(text));
    if (current.skip) {
      return;
    }
    const counted = { remote: 0 };
    const kept = filterDeclaration(text, resolveCid, counted);
    current.remote += counted.remote;
    if (kept.trim()) {
      write(current, `${kept};`);
    }
  };
  const openBlock = (parent: Frame, brace: number): void => {
    const prelude = css.slice(parent.start, brace);
    const preludeMentions = mentions(prelude);
    addMentions(parent.refs, preludeMentions);
    const child = frame(brace, parent, prelude);
    const decoded = decodeEscapes(prelude).trim().toLowerCase();
    child.fontFace = decoded.startsWith('@font-face');
    // `:host` would style the element that holds the mail, outside the mail's own box.
    child.skip ||= decoded.includes(':host') || decoded.includes('@import') || asReferences(preludeMentions).length > 0;
    if (!child.skip) {
      write(parent, `${prelude}{`);
    }
    stack.push(child);
  };
  const closeBlock = (end: number): void => {
    const child = stack.pop() as Frame;
    const parent = stack[stack.length - 1];
    endStatement(child, end);
    addMentions(parent.refs, child.refs);
    if (child.inDropped) {
      return;
    }
    const fontRefs = asReferences(child.refs);
    if (child.fontFace && fontRefs.some((r) => r !== 'allowed')) {
      // A web font is a remote resource whether or not it loads; data: fonts may stay.
      if (!child.skip) {
        output.length = child.mark;
        parent.written--;
      }
      parent.remote += fontRefs.includes('remote') ? 1 : 0;
      return;
    }
    if (child.skip) {
      return;
    }
    output.push('}');
    parent.remote += child.remote;
  };

  for (let i = 0; i < css.length; i++) {
    const current = stack[stack.length - 1];
    const c = css[i];
    if (c === '\\') {
      i++;
    } else if (current.quote) {
      if (c === current.quote || c === '\n') {
        current.quote = '';
      }
    } else if (c === '"' || c === "'") {
      current.quote = c;
    } else if (c === '(') {
      current.parens++;
    } else if (c === ')') {
      current.parens = Math.max(0, current.parens - 1);
    } else if (c === '{') {
      if (current.parens === 0) {
        openBlock(current, i);
      } else {
        current.strayBraces++;
      }
    } else if (c === '}') {
      // Inside brackets a `}` belongs to the function (CSS Syntax 3, 5.4.9), not to the block.
      if (stack.length > 1 && current.strayBraces === 0 && current.parens === 0) {
        closeBlock(i);
        stack[stack.length - 1].start = i + 1;
      } else {
        current.strayBraces = Math.max(0, current.strayBraces - 1);
        if (current.parens === 0) {
          // A stray closing brace ends nothing at this level; CSS drops it with the statement.
          current.start = i + 1;
        }
      }
    } else if (c === ';' && current.parens === 0) {
      endStatement(current, i);
      current.start = i + 1;
    }
  }
  // Unclosed blocks run to the end, as CSS error recovery does.
  while (stack.length > 1) {
    closeBlock(css.length);
    stack[stack.length - 1].start = css.length;
  }
  endStatement(stack[0], css.length);
  counter.remote += stack[0].remote;
  return output.join('');
}

/** Keeps one declaration or at-statement, or returns '' when it would fetch or run something. */
function filterDeclaration(text: string, resolveCid: CidResolver, counter: { remote: number }): string {
  const decoded = decodeEscapes(text).trim().toLowerCase();
  if (decoded.startsWith('@')) {
    if (decoded.startsWith('@import')) {
      counter.remote += 1;
      return '';
    }
    return /^@(charset|layer|namespace)(?![\w-])/.test(decoded) && !references(text).length ? text : '';
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
  return asReferences(mentions(css));
}

/**
 * What a piece of CSS may name as URLs: `url()` arguments, and its quoted strings, which are
 * URLs when an image function is in the same text. Kept apart so that the pieces of a block can
 * be read one by one and added up to what the whole block names.
 */
interface Mentions {
  urls: Set<Reference>;
  strings: Set<Reference>;
  takesStrings: boolean;
}

function mentions(css: string): Mentions {
  const decoded = decodeEscapes(css);
  const found: Mentions = { urls: new Set(), strings: new Set(), takesStrings: false };
  for (const match of decoded.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*))/gi)) {
    found.urls.add(classifyUrl(match[1] ?? match[2] ?? match[3] ?? ''));
  }
  // These functions take plain strings as URLs (CSS Images 4).
  found.takesStrings = /(?:image-set|image|cross-fade|src)\s*\(/i.test(decoded);
  for (const match of decoded.matchAll(/"([^"]*)"|'([^']*)'/g)) {
    found.strings.add(classifyUrl(match[1] ?? match[2] ?? ''));
  }
  return found;
}

function addMentions(into: Mentions, more: Mentions): void {
  more.urls.forEach((r) => into.urls.add(r));
  more.strings.forEach((r) => into.strings.add(r));
  into.takesStrings ||= more.takesStrings;
}

function asReferences(found: Mentions): Reference[] {
  return [...found.urls, ...(found.takesStrings ? found.strings : [])];
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
