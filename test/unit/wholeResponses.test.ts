/**
 * FETCH responses cut before imapflow's own cutter (`imap/wholeResponses.ts`): whatever the chunks
 * the socket gives, every response reaches the reader whole, in order and byte for byte as
 * imapflow's cutter gives it; a FETCH goes to `deliver`, everything else to imapflow.
 */
import * as assert from 'node:assert/strict';
import type { ImapStreamCutter, StreamItem } from '../../src/core/imap/imapflowInternals';
import { cutFetchResponses } from '../../src/core/imap/wholeResponses';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ImapStream } = require('imapflow/lib/handler/imap-stream.js') as { ImapStream: new (options: object) => ImapStreamCutter & NodeJS.ReadWriteStream };
const quiet = { debug() {}, info() {}, warn() {}, error() {}, trace() {} };

const fetchLine = (seq: number, literal: string) =>
  `* ${seq} FETCH (UID ${seq} FLAGS (\\Seen) ENVELOPE ("Thu, 01 Jan 2026 00:01:00 +0000" "Subject ${seq}" NIL NIL NIL NIL NIL NIL NIL "<${seq}@x>") BODY[HEADER.FIELDS (LIST-ID)] {${Buffer.byteLength(literal)}}\r\n${literal})\r\n`;
const WIRE = Buffer.from(
  [
    fetchLine(1, 'List-ID: <a.b>\r\n\r\n'),
    '* 2 EXISTS\r\n',
    fetchLine(2, ''),
    `* 3 FETCH (UID 3 FLAGS (\\Seen) ENVELOPE (NIL {5}\r\nab{c}) NIL NIL NIL NIL NIL NIL NIL NIL) BODY[HEADER.FIELDS (LIST-ID)] {2}\r\n\r\n)\r\n`,
    '* 4 FETCH (UID 4 FLAGS (\\Flagged))\r\n',
    '* VANISHED 7\r\n',
    fetchLine(5, 'X-GitHub-Reason: mention\r\n\r\n'),
    'A7 OK Fetch completed.\r\n',
  ].join(''),
);

/** What the reader gets, as text, with the FETCH responses cut here marked. */
async function read(chunks: Buffer[], cutHere: boolean): Promise<string[]> {
  const stream = new ImapStream({ logger: quiet });
  const seen: string[] = [];
  const show = (item: StreamItem, by: string) => `${by}${item.payload.toString('latin1')}|${item.literals.map((l) => l.toString('latin1')).join('|')}`;
  const release = cutHere ? cutFetchResponses(stream, (item) => void seen.push(show(item, 'cut: '))) : () => undefined;
  const done = new Promise<void>((resolve) => {
    stream.on('data', (item: StreamItem) => {
      seen.push(show(item, ''));
      item.next?.();
      if (item.payload.toString('latin1').startsWith('A7 ')) resolve();
    });
  });
  for (const chunk of chunks) stream.write(chunk);
  await done;
  release();
  return seen;
}

describe('FETCH responses cut before imapflow\'s cutter', () => {
  it('gives every response whole and in order, for a split at every byte', async () => {
    const expected = await read([WIRE], false);
    const unmarked = (lines: string[]) => lines.map((line) => line.replace(/^cut: /, ''));
    const whole = await read([WIRE], true);
    // From a boundary, FETCH responses are cut here until another response goes to imapflow, which
    // then cuts the rest of that chunk itself.
    assert.ok(whole[0].startsWith('cut: * 1 FETCH'), whole[0]);
    assert.deepEqual(unmarked(whole), expected);
    let cutHere = 0;
    for (let at = 1; at < WIRE.length; at++) {
      const got = await read([WIRE.subarray(0, at), WIRE.subarray(at)], true);
      assert.deepEqual(unmarked(got), expected, `split at ${at}`);
      cutHere += got.filter((line) => line.startsWith('cut: ')).length;
    }
    assert.ok(cutHere > WIRE.length, `responses cut here over all the splits: ${cutHere}`);
  });

  it('gives the same for chunks of every small size', async () => {
    const whole = (await read([WIRE], false)).join('\n');
    for (let size = 1; size <= 40; size++) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < WIRE.length; at += size) chunks.push(WIRE.subarray(at, at + size));
      assert.equal((await read(chunks, true)).map((line) => line.replace(/^cut: /, '')).join('\n'), whole, `chunks of ${size}`);
    }
  });

  it('leaves a response over imapflow\'s limits to imapflow, whose checks refuse it', async () => {
    const stream = new ImapStream({ logger: quiet, maxLiteralSize: 4 });
    const cut: StreamItem[] = [];
    cutFetchResponses(stream, (item) => void cut.push(item));
    const failed = new Promise<Error>((resolve) => stream.on('error', resolve));
    stream.on('data', (item: StreamItem) => item.next?.());
    stream.write(Buffer.from(fetchLine(1, 'List-ID: <a.b>\r\n\r\n')));
    assert.match((await failed).message, /literal/i);
    assert.equal(cut.length, 0);
  });
});
