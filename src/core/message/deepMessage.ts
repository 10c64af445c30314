/**
 * Messages nested deeper than any mail program writes: hundreds of multiparts, or forwarded
 * messages (message/rfc822) inside one another. postal-mime refuses a MIME tree deeper than its
 * limit and parses forwarded messages only so deep, and IMAP clients drop a BODYSTRUCTURE that
 * deep, so such a message would show as raw source or as its outer shell. This reads it in one
 * pass over its lines with a stack of open boundaries (RFC 2046 5.1.1), no recursion, and lifts
 * its leaf parts out into a flat multipart/mixed message that the ordinary parse can read.
 *
 * Works on a "binary string" (one char per byte) so that the bytes of every part survive.
 */
import { binaryToBytes, bytesToBinary } from './legacyCharset';

/** Leaf parts lifted out; a message with more shows the first ones. */
const MAX_LEAVES = 100;

export interface FlatMessage {
  /** The flat message: the top header block and up to MAX_LEAVES leaf parts, each with its Content-* fields. */
  source(): Uint8Array;
  /** The deepest nesting seen: multiparts and enclosed messages, counted together. */
  depth: number;
}

interface OpenMultipart {
  boundary: string;
  depth: number;
  digest: boolean;
}

interface LeafPart {
  fields: string[];
  start: number;
  end: number;
}

export function flattenMessage(raw: Uint8Array): FlatMessage {
  const text = bytesToBinary(raw);
  const open: OpenMultipart[] = [];
  // boundary → indexes in `open` that use it, innermost last (a reused boundary is a mistake mailers make).
  const byBoundary = new Map<string, number[]>();
  const leaves: LeafPart[] = [];
  let topFields: string[] | undefined;
  let header: string[] | undefined = [];
  let headerDepth = 0;
  let inDigest = false;
  let leaf: LeafPart | undefined;
  let depth = 0;

  const closeAbove = (keep: number): void => {
    while (open.length > keep) {
      const closed = open.pop() as OpenMultipart;
      byBoundary.get(closed.boundary)?.pop();
    }
  };
  const endHeader = (bodyStart: number): void => {
    const fields = unfoldFields(header ?? []);
    header = undefined;
    topFields ??= fields;
    const contentType = fieldValue(fields, 'content-type') ?? (inDigest ? 'message/rfc822' : 'text/plain');
    const type = (/^\s*([^;\s]+)/.exec(contentType)?.[1] ?? 'text/plain').toLowerCase();
    const disposition = (fieldValue(fields, 'content-disposition') ?? '').trim().toLowerCase();
    const encoding = (fieldValue(fields, 'content-transfer-encoding') ?? '7bit').trim().toLowerCase();
    const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
    depth = Math.max(depth, headerDepth);
    if (type.startsWith('multipart/') && boundary) {
      const name = boundary[1] ?? boundary[2];
      open.push({ boundary: name, depth: headerDepth, digest: type === 'multipart/digest' });
      const uses = byBoundary.get(name) ?? [];
      uses.push(open.length - 1);
      byBoundary.set(name, uses);
    } else if (type === 'message/rfc822' && !disposition.startsWith('attachment') && ['7bit', '8bit', 'binary'].includes(encoding)) {
      // RFC 2046 5.2.1: the enclosed message follows as is; its header block starts here.
      header = [];
      headerDepth++;
      inDigest = false;
    } else if (leaves.length < MAX_LEAVES) {
      leaf = { fields: fields.filter((f) => /^content-/i.test(f)), start: bodyStart, end: text.length };
      leaves.push(leaf);
    }
  };

  let pos = 0;
  while (pos < text.length) {
    const newline = text.indexOf('\n', pos);
    const next = newline < 0 ? text.length : newline + 1;
    const line = text.slice(pos, newline < 0 ? text.length : newline).replace(/\r$/, '');
    const delimiter = line.startsWith('--') ? matchDelimiter(line.replace(/[ \t]+$/, '').slice(2), byBoundary) : undefined;
    if (delimiter) {
      if (leaf) {
        // The line break before a delimiter belongs to the delimiter (RFC 2046 5.1.1).
        leaf.end = Math.max(leaf.start, text[pos - 2] === '\r' ? pos - 2 : pos - 1);
        leaf = undefined;
      }
      const parent = open[delimiter.index];
      closeAbove(delimiter.index + 1);
      if (delimiter.closing) {
        closeAbove(delimiter.index);
        header = undefined;
      } else {
        header = [];
        headerDepth = parent.depth + 1;
        inDigest = parent.digest;
      }
    } else if (header) {
      if (line === '') {
        endHeader(next);
      } else {
        header.push(line);
      }
    }
    pos = next;
  }
  if (header) {
    endHeader(text.length);
  }
  return { source: () => binaryToBytes(flatSource(text, topFields ?? [], leaves)), depth };
}

function matchDelimiter(rest: string, byBoundary: Map<string, number[]>): { index: number; closing: boolean } | undefined {
  const open = byBoundary.get(rest);
  if (open?.length) {
    return { index: open[open.length - 1], closing: false };
  }
  const closing = rest.endsWith('--') ? byBoundary.get(rest.slice(0, -2)) : undefined;
  return closing?.length ? { index: closing[closing.length - 1], closing: true } : undefined;
}

function flatSource(text: string, topFields: string[], leaves: LeafPart[]): string {
  let boundary = 'mailroom-flat';
  while (text.includes(boundary)) {
    boundary += `-${Math.random().toString(36).slice(2)}`;
  }
  const head = topFields.filter((f) => !/^content-/i.test(f));
  const parts = leaves.map((leaf) => `--${boundary}\r\n${leaf.fields.map((f) => `${f}\r\n`).join('')}\r\n${text.slice(leaf.start, leaf.end)}\r\n`);
  return `${head.join('\r\n')}\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n${parts.join('')}--${boundary}--\r\n`;
}

/** Header lines to fields: unfolding removes only the line break (RFC 5322 2.2.3). */
function unfoldFields(lines: string[]): string[] {
  const fields: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && fields.length) {
      fields[fields.length - 1] += line;
    } else {
      fields.push(line);
    }
  }
  return fields;
}

function fieldValue(fields: string[], name: string): string | undefined {
  const field = fields.find((f) => f.slice(0, f.indexOf(':')).trim().toLowerCase() === name);
  return field === undefined ? undefined : field.slice(field.indexOf(':') + 1).trim();
}
