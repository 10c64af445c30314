/**
 * The bulk reader's tokenizer on FETCH lines written by hand, in shapes Dovecot does not send but
 * other servers do: escapes inside quoted strings, NIL in every place, literals for any string.
 */
import * as assert from 'node:assert/strict';
import type { MessageEnvelopeObject, MessageStructureObject } from 'imapflow';
import { readFetchLine } from '../../src/core/imap/fetchLine';
import { hasAttachment } from '../../src/core/sync/summaries';

// imapflow's own line parser and envelope reader: the bulk reader must agree with them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const imapParser = (require('imapflow/lib/handler/imap-handler.js') as { parser(line: Buffer): Promise<unknown> }).parser;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const imapflowTools = require('imapflow/lib/tools.js') as { parseEnvelope(list: never): MessageEnvelopeObject; parseBodystructure(list: never): MessageStructureObject };

const line = (text: string, literals: string[] = []) => ({ payload: Buffer.from(text, 'utf8'), literals: literals.map((l) => Buffer.from(l)) });
const ENVELOPE = (subject: string) => `("Wed, 14 Jan 2026 10:00:00 +0100" ${subject} (("Dana" NIL "dana" "example.org")) NIL NIL (("Alice" NIL "alice" "example.com")) NIL NIL "<parent@x>" "<id@x>")`;

describe('reading a FETCH line in bulk', () => {
  it('reads every item of a summary', () => {
    const row = readFetchLine(
      line(
        `* 7 FETCH (UID 42 FLAGS (\\Seen $Forwarded) MODSEQ (12345678901234567) RFC822.SIZE 2048 INTERNALDATE "14-Jan-2026 10:00:00 +0100" ENVELOPE ${ENVELOPE('"Hello"')} BODYSTRUCTURE ("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 4 1 NIL NIL NIL NIL) BODY[HEADER.FIELDS (REFERENCES LIST-ID)] {24}\r\n)`,
        ['List-ID: <a.b.c>\r\n\r\n\r\n'],
      ),
      7,
    )!;
    assert.equal(row.seq, 7);
    assert.equal(row.uid, 42);
    assert.deepEqual([...row.flags!], ['\\Seen', '$Forwarded']);
    assert.equal(row.modseq, 12345678901234567n);
    assert.equal(row.size, 2048);
    assert.equal(row.internalDate instanceof Date && row.internalDate.toISOString(), '2026-01-14T09:00:00.000Z');
    assert.equal(row.envelope!.subject, 'Hello');
    assert.equal(row.envelope!.from![0].address, 'dana@example.org');
    assert.equal(row.envelope!.inReplyTo, '<parent@x>');
    assert.equal(row.hasAttachment, false);
    assert.equal(row.headers!.toString(), 'List-ID: <a.b.c>\r\n\r\n\r\n');
  });

  it('undoes the escapes of a quoted string (RFC 3501 4.3)', () => {
    const row = readFetchLine(line(`* 1 FETCH (UID 1 ENVELOPE ${ENVELOPE('"a \\"quoted\\" word and a back\\\\slash"')})`), 1)!;
    assert.equal(row.envelope!.subject, 'a "quoted" word and a back\\slash');
  });

  it('takes a literal wherever a string may be, and brackets, parentheses and braces inside strings as text', () => {
    const row = readFetchLine(line(`* 1 FETCH (UID 9 ENVELOPE ${ENVELOPE('{14}\r\n')} FLAGS ())`, ['(a) [b] {c} "d']), 1)!;
    assert.equal(row.envelope!.subject, '(a) [b] {c} "d');
    assert.deepEqual([...row.flags!], []);
  });

  it('reads NIL for an envelope field and for a missing body part', () => {
    const row = readFetchLine(line(`* 1 FETCH (UID 3 ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) BODY[HEADER.FIELDS (LIST-ID)] NIL)`), 1)!;
    assert.equal(row.envelope!.subject, undefined);
    assert.equal(row.headers!.length, 0);
  });

  it('leaves a line without an ENVELOPE to imapflow: a flag change, not a summary', () => {
    assert.equal(readFetchLine(line(`* 4 FETCH (UID 4 FLAGS (\\Seen) MODSEQ (9))`), 4), undefined);
  });

  it('refuses a line it cannot read, instead of making up a summary', () => {
    for (const [text, literals] of [
      [`* 1 FETCH (UID 1 ENVELOPE ("never ends))`, []],
      [`* 1 FETCH (UID 1 ENVELOPE ${ENVELOPE('{5}\r\n')})`, []],
      [`* 1 FETCH (UID 1 ENVELOPE ${ENVELOPE('"x"')}`, []],
      [`* 1 FETCH (UID x ENVELOPE ${ENVELOPE('"x"')})`, []],
      [`* 1 FETCH (ENVELOPE ${ENVELOPE('"x"')})`, []],
    ] as [string, string[]][]) {
      assert.throws(() => readFetchLine(line(text, literals), 1), Error, text);
    }
  });

  it('reads a list nested 100,000 deep without recursion', () => {
    const deep = `${'('.repeat(100_000)}${')'.repeat(100_000)}`;
    const row = readFetchLine(line(`* 1 FETCH (UID 5 X-DEEP ${deep} ENVELOPE ${ENVELOPE('"deep"')})`), 1)!;
    assert.equal(row.envelope!.subject, 'deep');
  });

  it('reads an envelope as imapflow\'s own reader does, in every shape a server may send', async () => {
    const shapes = [
      ENVELOPE('"plain"'),
      // Encoded words in the subject and in names, and a name a server left in its quotes.
      `("Wed, 14 Jan 2026 10:00:00 +0100" "=?UTF-8?B?w4lsw6huZQ==?= =?UTF-8?Q?caf=C3=A9?=" (("=?ISO-8859-1?Q?Zo=EB?=" NIL "zoe" "example.org") ("\\"Quoted Name\\"" NIL "q" "example.org")) NIL NIL NIL NIL NIL NIL NIL)`,
      // Group syntax (RFC 9051 7.5.2): a group name, its members, the end of the group.
      `(NIL "group" NIL NIL NIL ((NIL NIL "undisclosed-recipients" NIL) ("Bo" NIL "bo" "example.org") (NIL NIL NIL NIL)) NIL NIL NIL NIL)`,
      // NIL inside a list, a string where a list belongs, a list where a string belongs.
      `("not a date" ("odd") (NIL ("A" NIL "a" "x")) NIL NIL "not a list" (("C" NIL "c" NIL)) NIL " <r@x> " " <m@x> ")`,
      // An empty subject and empty strings in every address field.
      `("" "" (("" "" "" "")) NIL NIL NIL NIL NIL "" "")`,
      // A literal for a name, atoms where strings belong.
      `(ATOMDATE {5}\r\n (({3}\r\n NIL mbox host)) NIL NIL NIL NIL NIL NIL NIL)`,
    ];
    const literals = ['x y z', 'Lit'];
    const pick = (e: MessageEnvelopeObject | undefined) => e && { date: e.date, subject: e.subject, from: e.from, to: e.to, cc: e.cc, inReplyTo: e.inReplyTo, messageId: e.messageId };
    for (const envelope of shapes) {
      const text = `* 1 FETCH (UID 1 ENVELOPE ${envelope})`;
      const used = (envelope.match(/\{\d+\}/g) ?? []).length;
      const ours = readFetchLine(line(text, literals.slice(0, used)), 1)!;
      // imapflow's parser gets the line with its literals in place, as the wire has it.
      let next = 0;
      const wire = text.replace(/\{\d+\}\r\n/g, () => `{${Buffer.byteLength(literals[next])}}\r\n${literals[next++]}`);
      const parsed = (await imapParser(Buffer.from(wire))) as { attributes: unknown[] };
      const items = parsed.attributes[1] as { value?: string }[];
      const theirs = imapflowTools.parseEnvelope(items[items.findIndex((t) => t?.value === 'ENVELOPE') + 1] as never);
      assert.deepEqual(pick(ours.envelope), pick(theirs), envelope);
    }
  });

  it('tells an attachment in a body structure as imapflow\'s tree does, in every shape a server may send', async () => {
    const text = (extra = 'NIL NIL NIL NIL') => `("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 56 2 ${extra})`;
    const leaf = (type: string, params: string, disposition: string) => `(${type} ${params} NIL NIL "base64" 1000 NIL ${disposition} NIL NIL)`;
    const shapes: [string, boolean][] = [
      [text(), false],
      // A disposition says so, in any case; inline never does.
      [`(${text()} ${leaf('"application" "pdf"', '("name" "a.pdf")', '("ATTACHMENT" ("filename" "a.pdf"))')} "mixed" ("boundary" "b") NIL NIL NIL)`, true],
      [`(${text()} ${leaf('"image" "png"', '("name" "logo.png")', '("inline" ("filename" "logo.png"))')} "related" NIL NIL NIL NIL)`, false],
      // Named by its type's parameter alone, or by the disposition's; a named text part is not one.
      [`(${text()} ${leaf('"application" "zip"', '("name" "x.zip")', 'NIL')} "mixed" NIL NIL NIL NIL)`, true],
      [`(${text()} ${leaf('"application" "zip"', 'NIL', '("x-unknown" ("FILENAME" "x.zip"))')} "mixed" NIL NIL NIL NIL)`, true],
      [`(${text()} ("text" "csv" ("name" "t.csv") NIL NIL "7bit" 10 1 NIL NIL NIL NIL) "mixed" NIL NIL NIL NIL)`, false],
      // An empty name, and the last of two names (imapflow's map keeps the last).
      [`(${text()} ${leaf('"application" "zip"', '("name" "")', 'NIL')} "mixed" NIL NIL NIL NIL)`, false],
      [`(${text()} ${leaf('"application" "zip"', '("name" "a" "name" "")', 'NIL')} "mixed" NIL NIL NIL NIL)`, false],
      // RFC 2231 continuations and encoded words go to imapflow's own parameter reader.
      [`(${text()} ${leaf('"application" "pdf"', '("name*0" "re" "name*1" "port.pdf")', 'NIL')} "mixed" NIL NIL NIL NIL)`, true],
      [`(${text()} ${leaf('"application" "pdf"', 'NIL', `("inline" ("filename*" "utf-8''r%C3%A9sum%C3%A9.pdf"))`)} "mixed" NIL NIL NIL NIL)`, false],
      [`(${text()} ${leaf('"application" "pdf"', '("name" "=?utf-8?Q??=")', 'NIL')} "mixed" NIL NIL NIL NIL)`, false],
      [`(${text()} ${leaf('"application" "pdf"', '("name" "=?utf-8?Q?r=C3=A9sum=C3=A9.pdf?=")', 'NIL')} "mixed" NIL NIL NIL NIL)`, true],
      // A forwarded message is walked into, not judged by its own disposition; without a body it is judged.
      [`(${text()} ("message" "rfc822" NIL NIL NIL "7bit" 300 (NIL "fwd" NIL NIL NIL NIL NIL NIL NIL NIL) (${text()} ${leaf('"application" "pdf"', '("name" "in.pdf")', 'NIL')} "mixed" NIL NIL NIL NIL) 12 NIL ("attachment" NIL) NIL NIL) "mixed" NIL NIL NIL NIL)`, true],
      [`(${text()} ("message" "rfc822" NIL NIL NIL "7bit" 300 (NIL "fwd" NIL NIL NIL NIL NIL NIL NIL NIL) ${text()} 12 NIL ("attachment" NIL) NIL NIL) "mixed" NIL NIL NIL NIL)`, false],
      [`(${text()} ("message" "rfc822" NIL NIL NIL "7bit" 300 NIL NIL 12 NIL ("attachment" NIL) NIL NIL) "mixed" NIL NIL NIL NIL)`, true],
      // A text part without its line count (some servers), with a disposition one place early.
      [`(("text" "plain" NIL NIL NIL "7bit" 5 NIL ("attachment" ("filename" "a.txt")) NIL NIL) ${text()} "mixed")`, true],
      // No extension data at all (a BODY answer), and odd shapes: NIL types, a list where a string goes.
      [`(("application" "pdf" ("name" "a.pdf") NIL NIL "base64" 10) ${text('')} "mixed")`, true],
      [`(NIL NIL NIL NIL NIL NIL 0 NIL ("attachment" NIL) NIL NIL)`, true],
      [`(("x") "y" ("name" "n") NIL NIL NIL 0 NIL NIL NIL NIL)`, false],
    ];
    for (const [structure, expected] of shapes) {
      const row = readFetchLine(line(`* 1 FETCH (UID 1 BODYSTRUCTURE ${structure} ENVELOPE ${ENVELOPE('"x"')})`), 1)!;
      const parsed = (await imapParser(Buffer.from(`* 1 FETCH (BODYSTRUCTURE ${structure})`))) as { attributes: unknown[] };
      const items = parsed.attributes[1] as unknown[];
      const theirs = hasAttachment(imapflowTools.parseBodystructure(items[1] as never));
      assert.equal(row.hasAttachment, theirs, `as imapflow: ${structure}`);
      assert.equal(row.hasAttachment, expected, structure);
    }
  });
});
