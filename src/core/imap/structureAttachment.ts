/**
 * Whether a BODYSTRUCTURE (RFC 3501 7.4.2) holds an attachment, read straight from its list as the
 * bulk reader keeps it (strings, NIL, lists), without building imapflow's part tree: a summary needs
 * this one bit, and imapflow's reader decoded every parameter of every part of every message of a
 * full mirror (about a third of the bulk reader's time). The answer is the one `hasAttachment`
 * gives on imapflow's tree (`sync/summaries.ts`): the fields are found at the places imapflow's
 * `parseBodystructure` finds them, shapes it tolerates included, and a parameter list with RFC 2231
 * continuations or encoded words goes to imapflow's own reader. Walked with a stack: a server may
 * nest parts as deep as it likes.
 */
import { imapflowTools, type ImapflowToken } from './imapflowInternals';

/** A value as the bulk reader keeps it: a string, NIL, or a list. */
export type Plain = string | null | Plain[];

export function structureHasAttachment(root: Plain): boolean {
  const pending: Plain[] = [root];
  while (pending.length) {
    const node = pending.pop()!;
    // imapflow reads a part that is not a list as a leaf of no type, with nothing that names it.
    if (!Array.isArray(node)) continue;
    if (Array.isArray(node[0])) {
      // A multipart: its parts, then its subtype and extension data, which never make it an attachment.
      for (let i = 0; Array.isArray(node[i]); i++) pending.push(node[i]);
      continue;
    }
    const type = `${lower(node[0])}/${lower(node[1])}`;
    let i = 7;
    if (type === 'message/rfc822') {
      // A forwarded message with a body is walked, not judged itself (its envelope, body, lines).
      if (present(node[8])) {
        pending.push(node[8]);
        continue;
      }
      i += 3;
    }
    // Some servers leave out the line count of a text part: imapflow then reads on one place early.
    if (type.startsWith('text/') && !(node.length === 11 && Array.isArray(node[i + 1]) && !Array.isArray(node[i + 2]))) i++;
    if (i < node.length) i++; // MD5
    let disposition = '';
    let dispositionParameters: Plain = null;
    if (i < node.length) {
      const field = node[i];
      if (Array.isArray(field) && field.length) {
        disposition = lower(field[0]);
        dispositionParameters = field[1];
      }
    }
    if (disposition === 'attachment') return true;
    const named = param(dispositionParameters, 'filename') || param(node[2], 'name');
    if (named && !type.startsWith('text/') && disposition !== 'inline') return true;
  }
  return false;
}

/** A field as imapflow reads it for a type or a disposition: its text in lower case, '' for NIL or a list. */
function lower(value: Plain | undefined): string {
  return typeof value === 'string' ? value.toLowerCase() : '';
}

/** imapflow takes any token as present, an empty string too; only NIL (or nothing) is absent. */
function present(value: Plain | undefined): value is string | Plain[] {
  return value !== null && value !== undefined;
}

/**
 * The value of parameter `name` (lower case) in a list of names and values, as imapflow's
 * `getStructuredParams` gives it: the last of that name wins. A list it would transform (RFC 2231
 * continuations `name*0*`, encoded words, a filename that looks RFC 2231 encoded) is read by it.
 */
function param(list: Plain | undefined, name: string): string {
  if (!Array.isArray(list)) return '';
  let value = '';
  for (let j = 0; j < list.length; j += 2) {
    const key = lower(list[j]);
    const raw = list[j + 1];
    const text = typeof raw === 'string' ? raw : '';
    if (key.includes('*') || text.includes('=?') || text.includes('__\x00JOIN') || (key === 'filename' && text.includes("'"))) {
      return imapflowTools.getStructuredParams(list.map(asToken))[name] ?? '';
    }
    if (key === name) value = text;
  }
  return value;
}

/** A plain value back in imapflow's token shape, for its parameter reader. */
function asToken(value: Plain): ImapflowToken {
  if (value === null) return null;
  return Array.isArray(value) ? value.map(asToken) : { type: 'STRING', value };
}
