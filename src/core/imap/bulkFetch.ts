/**
 * A bulk FETCH of message summaries, read by a small tokenizer of our own. imapflow's generic
 * response parser costs about 50 µs per FETCH line here, more than the server and the wire
 * together (docs/imapflow-2.10.md): mirroring 100,000 messages through `fetchAll` took 4 to 5
 * times a raw socket. While one such command runs, its untagged FETCH lines are taken before
 * imapflow parses them and read here; ENVELOPE and BODYSTRUCTURE lists go to imapflow's own
 * readers, so decoding (RFC 2047 words, charsets) stays imapflow's. Every other line, and any FETCH
 * line without an ENVELOPE (a flag change another client made meanwhile), goes to imapflow as usual.
 *
 * This reaches into imapflow (`exec`, `handleResponse`, `lib/tools`), pinned at 2.10.2. A line the
 * tokenizer cannot read is never dropped: the result says so, and the caller fetches the range again
 * the ordinary way.
 */
import type { FetchMessageObject, ImapFlow, MessageEnvelopeObject, MessageStructureObject } from 'imapflow';

/** One untagged FETCH line's items, in imapflow's token shapes: NIL is null, a list an array. */
type Token = { type: 'ATOM' | 'STRING' | 'LITERAL'; value: string | Buffer } | null | Token[];

interface ResponseData {
  payload: Buffer;
  literals: Buffer[];
}

interface Internals {
  handleResponse(data: ResponseData): Promise<boolean>;
  exec(command: string, attributes: unknown[], options?: unknown): Promise<{ next(): void }>;
}

interface ImapflowTools {
  parseEnvelope(list: Token[]): MessageEnvelopeObject;
  parseBodystructure(list: Token[]): MessageStructureObject;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const tools = require('imapflow/lib/tools.js') as ImapflowTools;

/** The header fields fetched with each summary beyond the envelope. */
export interface SummaryItems {
  headerFields: readonly string[];
}

export interface BulkFetchResult {
  rows: FetchMessageObject[];
  /** False when a line could not be read here: fetch the range again through imapflow. */
  complete: boolean;
}

const FETCH_LINE = /^\* (\d+) FETCH \(/;
const QUOTE_OR_ESCAPE = /["\\]/g;

/**
 * `UID FETCH range` (or `FETCH` by sequence numbers) of UID, FLAGS, MODSEQ where the server has
 * it, ENVELOPE, RFC822.SIZE, INTERNALDATE, BODYSTRUCTURE and the header fields asked for. The
 * caller holds the mailbox lock of `client`.
 */
export async function bulkFetch(client: ImapFlow, range: string, byUid: boolean, items: SummaryItems): Promise<BulkFetchResult> {
  const internals = client as unknown as Internals;
  const rows: FetchMessageObject[] = [];
  let complete = true;
  const original = internals.handleResponse;
  internals.handleResponse = async function (this: Internals, data: ResponseData): Promise<boolean> {
    const head = data.payload.toString('latin1', 0, 24);
    const match = FETCH_LINE.exec(head);
    if (match) {
      try {
        const row = readFetchLine(data, Number(match[1]));
        if (row) {
          rows.push(row);
          return true;
        }
      } catch {
        complete = false;
      }
    }
    return original.call(this, data);
  };
  try {
    const attributes: unknown[] = [
      { type: 'SEQUENCE', value: range },
      [
        ...['UID', 'FLAGS', 'ENVELOPE', 'RFC822.SIZE', 'INTERNALDATE', 'BODYSTRUCTURE'].map((value) => ({ type: 'ATOM', value })),
        ...(client.enabled.has('CONDSTORE') || client.enabled.has('QRESYNC') ? [{ type: 'ATOM', value: 'MODSEQ' }] : []),
        {
          type: 'ATOM',
          value: 'BODY.PEEK',
          section: [{ type: 'ATOM', value: 'HEADER.FIELDS' }, items.headerFields.map((value) => ({ type: 'ATOM', value: value.toUpperCase() }))],
        },
      ],
    ];
    const response = await internals.exec(byUid ? 'UID FETCH' : 'FETCH', attributes);
    response.next();
  } finally {
    // The prototype's method again (the own property only shadowed it).
    delete (internals as Partial<Internals>).handleResponse;
    if (internals.handleResponse !== original) internals.handleResponse = original;
  }
  return { rows, complete };
}

/** One summary from a FETCH line, or undefined for a line without an ENVELOPE (not a summary). */
export function readFetchLine(data: ResponseData, seq: number): FetchMessageObject | undefined {
  const text = data.payload.toString('utf8');
  const reader = new TokenReader(text, data.literals);
  reader.pos = text.indexOf('(');
  const items = reader.list();
  const row: Partial<FetchMessageObject> & { seq: number } = { seq };
  let hasEnvelope = false;
  for (let i = 0; i + 1 < items.length; i += 2) {
    const key = items[i];
    const value = items[i + 1];
    if (!key || Array.isArray(key) || typeof key.value !== 'string') throw new Error('FETCH item without a name');
    const name = key.value.toUpperCase();
    if (name === 'UID') row.uid = Number(scalar(value));
    else if (name === 'FLAGS') row.flags = new Set(Array.isArray(value) ? value.map(scalar) : []);
    else if (name === 'MODSEQ') row.modseq = Array.isArray(value) && value[0] ? BigInt(scalar(value[0])) : undefined;
    else if (name === 'RFC822.SIZE') row.size = Number(scalar(value));
    else if (name === 'INTERNALDATE') row.internalDate = new Date(scalar(value));
    else if (name === 'ENVELOPE') {
      hasEnvelope = true;
      if (Array.isArray(value)) row.envelope = tools.parseEnvelope(value);
    } else if (name === 'BODYSTRUCTURE') {
      if (Array.isArray(value)) row.bodyStructure = tools.parseBodystructure(value);
    } else if (name.startsWith('BODY[')) {
      row.headers = value && !Array.isArray(value) ? (Buffer.isBuffer(value.value) ? value.value : Buffer.from(value.value)) : Buffer.alloc(0);
    }
  }
  if (!hasEnvelope) return undefined;
  if (!Number.isInteger(row.uid) || (row.uid as number) <= 0) throw new Error('FETCH line without a usable UID');
  return row as FetchMessageObject;
}

function scalar(token: Token): string {
  if (!token || Array.isArray(token)) return '';
  return Buffer.isBuffer(token.value) ? token.value.toString() : token.value;
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

  list(): Token[] {
    if (this.text[this.pos] !== '(') throw new Error(`a list was expected at ${this.pos}`);
    this.pos++;
    const stack: Token[][] = [[]];
    while (stack.length) {
      const c = this.text[this.pos];
      if (c === undefined) throw new Error('the line ended inside a list');
      if (c === ' ') {
        this.pos++;
      } else if (c === ')') {
        this.pos++;
        const done = stack.pop()!;
        if (!stack.length) return done;
        stack[stack.length - 1].push(done);
      } else if (c === '(') {
        this.pos++;
        stack.push([]);
      } else {
        stack[stack.length - 1].push(this.scalar());
      }
    }
    throw new Error('unreachable');
  }

  private scalar(): Token {
    const c = this.text[this.pos];
    if (c === '"') return this.quoted();
    if (c === '{') return this.literalValue();
    const start = this.pos;
    let depth = 0;
    for (; this.pos < this.text.length; this.pos++) {
      const ch = this.text[this.pos];
      if (ch === '[') depth++;
      else if (ch === ']') depth--;
      else if (depth === 0 && (ch === ' ' || ch === ')' || ch === '(')) break;
    }
    const atom = this.text.slice(start, this.pos);
    if (!atom) throw new Error(`an empty atom at ${start}`);
    return atom.toUpperCase() === 'NIL' ? null : { type: 'ATOM', value: atom };
  }

  private quoted(): Token {
    let value = '';
    this.pos++;
    for (;;) {
      QUOTE_OR_ESCAPE.lastIndex = this.pos;
      const found = QUOTE_OR_ESCAPE.exec(this.text);
      if (!found) throw new Error('a quoted string without its end');
      value += this.text.slice(this.pos, found.index);
      this.pos = found.index;
      if (this.text[this.pos] === '"') {
        this.pos++;
        return { type: 'STRING', value };
      }
      value += this.text[this.pos + 1] ?? '';
      this.pos += 2;
    }
  }

  private literalValue(): Token {
    const close = this.text.indexOf('}', this.pos);
    if (close < 0 || this.text.slice(close + 1, close + 3) !== '\r\n') throw new Error('a literal marker without its line end');
    this.pos = close + 3;
    const value = this.literals[this.literal++];
    if (!value) throw new Error('a literal marker without its literal');
    return { type: 'LITERAL', value };
  }
}
