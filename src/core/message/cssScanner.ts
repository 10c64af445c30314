/**
 * A small CSS scanner (strings, escapes, comments, brackets) for the remote-content filter: enough of
 * CSS Syntax 3 to split mail CSS into statements and blocks and to see through escapes, with CSS's
 * own error recovery (unclosed constructs run to the end). Loops only: nesting costs no stack.
 */

/** A top-level piece of CSS: a statement ended by `;`, or a block `prelude { body }`. */
export type CssItem = { kind: 'statement'; text: string } | { kind: 'block'; prelude: string; body: string };

/** Resolves CSS escapes (CSS Syntax 3, 4.3.7) so that `\75 rl(` is seen as `url(`. */
export function decodeEscapes(css: string): string {
  return css.replace(/\\([0-9a-fA-F]{1,6})[ \t\r\n\f]?|\\([^\r\n\f])/g, (_m, hex: string | undefined, ch: string | undefined) => {
    if (hex) {
      const code = parseInt(hex, 16);
      return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? '\uFFFD' : String.fromCodePoint(code);
    }
    return ch ?? '';
  });
}

/** Removes comments. They are dropped without a space, so `u/**\/rl(` reads as `url(` here: stricter than CSS. */
export function stripComments(css: string): string {
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
export function splitItems(css: string): CssItem[] {
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
