/**
 * One untagged FETCH line of a summary, read without imapflow's generic parser: a tokenizer of IMAP's
 * data forms (RFC 3501 4), and an ENVELOPE reader that makes plain strings, not a token per field.
 * Of the BODYSTRUCTURE a summary keeps one bit, whether it holds an attachment
 * (`structureAttachment.ts`); encoded words (RFC 2047) go to imapflow's reader whenever a field has
 * one. The result has imapflow's shapes, and the tests hold it to imapflow's parser on every fixture.
 */
import type { FetchMessageObject, MessageAddressObject, MessageEnvelopeObject } from 'imapflow';
import { imapflowTools as tools, type ImapflowToken } from './imapflowInternals';
import { structureHasAttachment, type Plain } from './structureAttachment';

/** A line as imapflow's stream cuts it: the text with `{n}` marks, and the literals in order. */
export interface ResponseData {
  payload: Buffer;
  literals: Buffer[];
}

/** Tokens in imapflow's shapes: NIL is null, a list an array. */
type Token = ImapflowToken;

/** A summary as the bulk reader gives it: imapflow's shape, with the body structure read down to the one bit kept. */
export interface SummaryLine extends FetchMessageObject {
  hasAttachment?: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** One summary from a FETCH line, or undefined for a line without an ENVELOPE (not a summary). */
export function readFetchLine(data: ResponseData, seq: number): SummaryLine | undefined {
  const text = data.payload.toString('utf8');
  const reader = new TokenReader(text, data.literals);
  const open = text.indexOf('(');
  if (open < 0) throw new Error('a FETCH line without its list');
  reader.pos = open + 1;
  const row: Partial<SummaryLine> & { seq: number } = { seq };
  let hasEnvelope = false;
  for (;;) {
    reader.skipSpaces();
    const c = text[reader.pos];
    if (c === undefined) throw new Error('the line ended inside a list');
    if (c === ')') break;
    const key = reader.scalar();
    if (!key || Array.isArray(key) || typeof key.value !== 'string') throw new Error('FETCH item without a name');
    const name = key.value.toUpperCase();
    reader.skipSpaces();
    if (name === 'ENVELOPE') {
      hasEnvelope = true;
      const value = reader.plain();
      if (Array.isArray(value)) row.envelope = envelopeOf(value);
      continue;
    }
    if (name === 'BODYSTRUCTURE') {
      row.hasAttachment = structureHasAttachment(reader.plain());
      continue;
    }
    const value = reader.value();
    if (name === 'UID') row.uid = Number(scalar(value));
    else if (name === 'FLAGS') row.flags = new Set(Array.isArray(value) ? value.map(scalar) : []);
    else if (name === 'MODSEQ') row.modseq = Array.isArray(value) && value[0] ? BigInt(scalar(value[0])) : undefined;
    else if (name === 'RFC822.SIZE') row.size = Number(scalar(value));
    else if (name === 'INTERNALDATE') row.internalDate = new Date(scalar(value));
    else if (name.startsWith('BODY[')) {
      row.headers = value && !Array.isArray(value) ? (Buffer.isBuffer(value.value) ? value.value : Buffer.from(value.value)) : Buffer.alloc(0);
    }
  }
  if (!hasEnvelope) return undefined;
  if (!Number.isInteger(row.uid) || (row.uid as number) <= 0) throw new Error('FETCH line without a usable UID');
  return row as SummaryLine;
}

/**
 * The envelope (RFC 3501 7.4.2) as imapflow's `parseEnvelope` gives it, for the fields a summary
 * reads: date, subject, from, to, cc, in-reply-to, message-id (sender, reply-to and bcc are left
 * out). A field of the wrong shape is taken as absent, as imapflow takes it.
 */
function envelopeOf(entry: Plain[]): MessageEnvelopeObject {
  const envelope: MessageEnvelopeObject = {};
  const date = entry[0];
  if (typeof date === 'string' && date) {
    const parsed = new Date(date);
    envelope.date = (Number.isNaN(parsed.getTime()) ? date : parsed) as Date;
  }
  const subject = entry[1];
  if (typeof subject === 'string' && subject) envelope.subject = hasEncodedWords(subject) ? decodeSubject(subject) : subject;
  const from = addresses(entry[2]);
  if (from) envelope.from = from;
  const to = addresses(entry[5]);
  if (to) envelope.to = to;
  const cc = addresses(entry[6]);
  if (cc) envelope.cc = cc;
  if (typeof entry[8] === 'string' && entry[8]) envelope.inReplyTo = entry[8].trim();
  if (typeof entry[9] === 'string' && entry[9]) envelope.messageId = entry[9].trim();
  return envelope;
}

/** imapflow's `processAddresses`: RFC 9051 7.5.2 group syntax becomes a name without an address. */
function addresses(list: Plain): MessageAddressObject[] | undefined {
  if (!Array.isArray(list) || !list.length) return undefined;
  const out: MessageAddressObject[] = [];
  for (const entry of list) {
    if (!Array.isArray(entry)) continue;
    const name = decodeText(text(entry[0]));
    const mailbox = text(entry[2]);
    const host = text(entry[3]);
    const address = host ? { name, address: `${mailbox}@${host}` } : { name: name || (mailbox && decodeText(mailbox)), address: '' };
    if (address.name || address.address) out.push(address);
  }
  return out;
}

const text = (value: Plain | undefined): string => (typeof value === 'string' ? value : '');

/** libmime's decoding starts at `=?` (and at its own join marker): a field without either is as it came. */
function hasEncodedWords(value: string): boolean {
  return value.includes('=?') || value.includes('__\x00JOIN');
}

/** imapflow's `decodeText`: encoded words decoded, then the quotes some servers leave around a name. */
function decodeText(value: string): string {
  if (hasEncodedWords(value)) return tools.decodeText(value);
  return value.length > 2 && value[0] === '"' && value[value.length - 1] === '"' ? value.slice(1, -1) : value;
}

/** A subject with encoded words, decoded exactly as imapflow's envelope reader does. */
function decodeSubject(value: string): string {
  return tools.parseEnvelope([null, { type: 'STRING', value }]).subject ?? value;
}

function scalar(token: Token): string {
  if (!token || Array.isArray(token)) return '';
  return Buffer.isBuffer(token.value) ? token.value.toString() : token.value;
}

/** Whether the three characters at `at` spell NIL, in any case. */
function isNil(text: string, at: number): boolean {
  return (text.charCodeAt(at) | 0x20) === 0x6e && (text.charCodeAt(at + 1) | 0x20) === 0x69 && (text.charCodeAt(at + 2) | 0x20) === 0x6c;
}

/**
 * IMAP's data forms (RFC 3501 4): atoms, quoted strings, literals (whose bytes imapflow's stream
 * already cut out: `{n}` marks where each goes), NIL and parenthesised lists. An atom such as
 * `BODY[HEADER.FIELDS (A B)]` runs to its closing bracket. Loops only: nesting costs no stack.
 */
class TokenReader {
  pos = 0;
  private literal = 0;

  constructor(
    private readonly text: string,
    private readonly literals: readonly Buffer[],
  ) {}

  skipSpaces(): void {
    while (this.text.charCodeAt(this.pos) === 0x20) this.pos++;
  }

  /** A list or a single token. */
  value(): Token {
    return this.text[this.pos] === '(' ? this.list() : this.scalar();
  }

  list(): Token[] {
    return this.nested<Token>(() => this.scalar());
  }

  /** A value as plain strings: no token objects (an envelope has dozens). */
  plain(): Plain {
    if (this.text[this.pos] !== '(') return this.plainScalar();
    return this.nested<Plain>(() => this.plainScalar());
  }

  /** A parenthesised list of `read()` values and lists, as deep as the server nests it. */
  private nested<T>(read: () => T): T[] {
    if (this.text[this.pos] !== '(') throw new Error(`a list was expected at ${this.pos}`);
    this.pos++;
    const stack: T[][] = [[]];
    while (stack.length) {
      const c = this.text[this.pos];
      if (c === undefined) throw new Error('the line ended inside a list');
      if (c === ' ') {
        this.pos++;
      } else if (c === ')') {
        this.pos++;
        const done = stack.pop()!;
        if (!stack.length) return done;
        (stack[stack.length - 1] as unknown[]).push(done);
      } else if (c === '(') {
        this.pos++;
        stack.push([]);
      } else {
        stack[stack.length - 1].push(read());
      }
    }
    throw new Error('unreachable');
  }

  scalar(): Token {
    const c = this.text[this.pos];
    if (c === '"') return { type: 'STRING', value: this.quoted() };
    if (c === '{') return { type: 'LITERAL', value: this.literalValue() };
    const atom = this.atom();
    return atom === null ? null : { type: 'ATOM', value: atom };
  }

  /** A scalar's text as imapflow's envelope reader takes it (a literal as UTF-8), NIL as null. */
  private plainScalar(): string | null {
    const c = this.text[this.pos];
    if (c === '"') return this.quoted();
    if (c === '{') return this.literalValue().toString();
    return this.atom();
  }

  /** An atom's text, or null for NIL. */
  private atom(): string | null {
    const start = this.pos;
    let depth = 0;
    for (; this.pos < this.text.length; this.pos++) {
      const ch = this.text[this.pos];
      if (ch === '[') depth++;
      else if (ch === ']') depth--;
      else if (depth === 0 && (ch === ' ' || ch === ')' || ch === '(')) break;
    }
    if (this.pos === start) throw new Error(`an empty atom at ${start}`);
    return this.pos - start === 3 && isNil(this.text, start) ? null : this.text.slice(start, this.pos);
  }

  /** A quoted string (RFC 3501 9: `\\` and `\"` are its only escapes), read without a regular expression: most lines hold dozens. */
  private quoted(): string {
    const text = this.text;
    let value = '';
    let from = ++this.pos;
    for (let i = from; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        this.pos = i + 1;
        return value + text.slice(from, i);
      }
      if (c === BACKSLASH) {
        value += text.slice(from, i) + (text[i + 1] ?? '');
        from = ++i + 1;
      }
    }
    throw new Error('a quoted string without its end');
  }

  private literalValue(): Buffer {
    const close = this.text.indexOf('}', this.pos);
    if (close < 0 || this.text.slice(close + 1, close + 3) !== '\r\n') throw new Error('a literal marker without its line end');
    this.pos = close + 3;
    const value = this.literals[this.literal++];
    if (!value) throw new Error('a literal marker without its literal');
    return value;
  }
}
