/**
 * The header fields of one MIME part, kept as binary strings (one char per byte) so that 8-bit
 * values survive: split with their folded lines (RFC 5322 2.2.3), read, filtered, and glued back
 * onto a body.
 */
import { binaryToBytes } from './legacyCharset';

/** Splits a header block into fields, each with its folded continuation lines (RFC 5322 2.2.3). */
export function splitHeaderFields(block: string): string[] {
  const fields: string[] = [];
  for (const line of block.replace(/[\r\n]+$/, '').split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length) {
      fields[fields.length - 1] += `\r\n${line}`;
    } else if (line) {
      fields.push(line);
    }
  }
  return fields;
}

function fieldName(field: string): string {
  const colon = field.indexOf(':');
  return (colon < 0 ? field : field.slice(0, colon)).trim().toLowerCase();
}

export function fieldValue(fields: string[], name: string): string | undefined {
  const field = fields.find((f) => fieldName(f) === name);
  return field === undefined ? undefined : field.slice(field.indexOf(':') + 1).replace(/\r?\n[ \t]/g, ' ').trim();
}

export function withoutFields(fields: string[], names: string[]): string[] {
  return fields.filter((f) => !names.includes(fieldName(f)));
}

export function headerParam(value: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return match ? (match[1] ?? match[2]) : undefined;
}

export function glue(fields: string[], body: Uint8Array): Uint8Array {
  const head = binaryToBytes(`${fields.join('\r\n')}\r\n\r\n`);
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}
