/**
 * FETCH responses cut from imapflow's input before its own cutter sees them, while a bulk FETCH
 * is taken (`takeSummaryLines`). imapflow's stream cuts every line and literal with a round of
 * promises of its own (an `await` per segment and one per line handed on): in a full mirror that
 * was about a fifth of our CPU. Here, at a boundary between responses, each whole `* n FETCH`
 * response in the chunk (its literals included) is found with `indexOf` and handed to `deliver`
 * at once, in the shape imapflow's stream gives (`payload` with its `{n}` marks, `literals`).
 *
 * Anything else goes to imapflow's own cutter from its first byte, with its state untouched: another
 * response (the tagged answer, EXISTS, VANISHED), a response that goes on in the next chunk, a line
 * or a literal over imapflow's limits (whose checks stay its own). So imapflow reads those exactly
 * as before, and the responses keep their order: imapflow hands a line on and waits until it is
 * taken before it cuts the next, so none of its own is pending when this one cuts.
 */
import { shadow } from './shadow';
import { STREAM_LINE_STATE, type ImapStreamCutter, type StreamItem } from './imapflowInternals';

const LF = 0x0a;
const CR = 0x0d;
const STAR = 0x2a;
const SPACE = 0x20;
const BRACE_OPEN = 0x7b;
const BRACE_CLOSE = 0x7d;
const FETCH = Buffer.from(' FETCH (', 'latin1');

/** The part of a FETCH response kept from one chunk to the next at most; a larger one is imapflow's. */
const MAX_CARRY = 1 << 20;

/** Shadows the stream's cutter with this one until the returned function is called. */
export function cutFetchResponses(stream: ImapStreamCutter, deliver: (item: StreamItem) => void): () => void {
  const own = stream.processChunkSegment;
  /** The start of a FETCH response that goes on in the next chunk, kept here rather than by imapflow. */
  let carry: Buffer | undefined;
  const fast = async function (this: ImapStreamCutter, chunk: Buffer, start: number): Promise<number | null> {
    const atBoundary = !this.destroyed && this.state === STREAM_LINE_STATE && !this.lineBuffer.length && !this.inputBuffer.length && !this.literals.length;
    let buffer = chunk;
    let pos = start;
    if (carry && atBoundary && start === 0) {
      buffer = Buffer.concat([carry, chunk]);
      carry = undefined;
    }
    if (atBoundary) {
      for (;;) {
        const cut = wholeFetch(buffer, pos, this);
        if (cut === PARTIAL) {
          if (buffer.length - pos > MAX_CARRY) break;
          carry = Buffer.from(buffer.subarray(pos));
          return null;
        }
        if (!cut) break;
        pos = cut.next;
        deliver(cut.item);
      }
    }
    if (pos >= buffer.length) return null;
    if (buffer === chunk) return own.call(this, chunk, pos);
    // A chunk joined to what was carried: imapflow's cutter goes through all of it here, since the
    // positions it returns are in the joined buffer, not in the chunk its caller holds.
    for (let next: number | null = pos; next !== null; ) next = await own.call(this, buffer, next);
    return null;
  };
  return shadow(stream, 'processChunkSegment', fast);
}

/** A FETCH response that starts in the chunk and goes on in the next. */
const PARTIAL = 'partial';

/**
 * The `* n FETCH (…)` response that starts at `at`, if it is whole in `chunk` and within imapflow's
 * limits; PARTIAL if it starts here and goes on; undefined for anything else.
 */
function wholeFetch(chunk: Buffer, at: number, limits: ImapStreamCutter): { item: StreamItem; next: number } | typeof PARTIAL | undefined {
  // Too short to tell yet whether it is a FETCH: kept, unless nothing is there at all.
  if (chunk.length - at < 24 && chunk[at] === STAR && chunk.indexOf(LF, at) < 0) return PARTIAL;
  if (chunk[at] !== STAR || chunk[at + 1] !== SPACE) return undefined;
  let i = at + 2;
  while (chunk[i] >= 0x30 && chunk[i] <= 0x39) i++;
  if (i === at + 2 || chunk.compare(FETCH, 0, FETCH.length, i, i + FETCH.length) !== 0) return undefined;
  const lines: Buffer[] = [];
  const literals: Buffer[] = [];
  let from = at;
  for (;;) {
    const lf = chunk.indexOf(LF, from);
    if (lf < 0) return chunk.length - from > limits.maxLineLength ? undefined : PARTIAL;
    if (lf + 1 - from > limits.maxLineLength || lf + 1 - at > limits.maxResponseSize) return undefined;
    const size = literalSize(chunk, from, lf);
    if (size === undefined) {
      const end = lf > from && chunk[lf - 1] === CR ? lf - 1 : lf;
      lines.push(chunk.subarray(from, end));
      const payload = lines.length === 1 ? lines[0] : Buffer.concat(lines);
      return { item: { payload, literals, next: () => undefined }, next: lf + 1 };
    }
    if (size > limits.maxLiteralSize) return undefined;
    if (lf + 1 + size > chunk.length) return PARTIAL;
    lines.push(chunk.subarray(from, lf + 1));
    // Copied: a literal kept as a view would hold the whole chunk of the socket.
    literals.push(Buffer.from(chunk.subarray(lf + 1, lf + 1 + size)));
    from = lf + 1 + size;
  }
}

/** The size of the literal a line ending `{n}` (then CRLF or LF) announces, or undefined. */
function literalSize(chunk: Buffer, from: number, lf: number): number | undefined {
  let i = lf - 1;
  if (i >= from && chunk[i] === CR) i--;
  if (i < from || chunk[i] !== BRACE_CLOSE) return undefined;
  const last = --i;
  while (i >= from && chunk[i] >= 0x30 && chunk[i] <= 0x39) i--;
  // At most 15 digits: a size past that is left to imapflow, which refuses it.
  if (i < from || chunk[i] !== BRACE_OPEN || i === last || last - i > 15) return undefined;
  return Number(chunk.toString('latin1', i + 1, last + 1));
}
