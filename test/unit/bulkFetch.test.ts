/**
 * The bulk reader's tokenizer on FETCH lines written by hand, in shapes Dovecot does not send but
 * other servers do: escapes inside quoted strings, NIL in every place, literals for any string.
 */
import * as assert from 'node:assert/strict';
import { readFetchLine } from '../../src/core/imap/bulkFetch';

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
    assert.equal(row.bodyStructure!.type, 'text/plain');
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
});
