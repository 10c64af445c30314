/**
 * The repair of undeclared 8-bit text (RFC 2045 5.2 says such text is US-ASCII, which it cannot
 * be). Checked on the rewritten headers themselves and through the MIME parser, with folded
 * headers (RFC 5322 2.2.3) where the charset sits on a continuation line.
 */
import * as assert from 'node:assert/strict';
import {
  binaryToBytes,
  bytesToBinary,
  declareLegacyCharset,
  decodeLenient,
  decodeWindows1252,
  isValidUtf8,
  LEGACY_CHARSET,
  repairC1Controls,
} from '../../src/core/message/legacyCharset';
import { parseMessageSource } from '../../src/core/message/mime';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const rewritten = (s: string) => Buffer.from(declareLegacyCharset(latin1(s))).toString('latin1');
const meta = { uid: 1, folder: 'INBOX' };

describe('declaring the charset of undeclared 8-bit mail', () => {
  it('adds windows-1252 to a text part that names no charset', () => {
    assert.equal(rewritten('Content-Type: text/plain\r\n\r\ncaf\xe9\r\n'), `Content-Type: text/plain; charset=${LEGACY_CHARSET}\r\n\r\ncaf\xe9\r\n`);
    assert.equal(rewritten('Content-Type: text/html\n\ncaf\xe9\n'), 'Content-Type: text/html; charset=windows-1252\n\ncaf\xe9\n');
  });

  it('adds a Content-Type where there is none (text/plain by RFC 2045 5.2)', () => {
    assert.equal(rewritten('Subject: x\r\n\r\ncaf\xe9'), 'Subject: x\r\nContent-Type: text/plain; charset=windows-1252\r\n\r\ncaf\xe9');
  });

  it('leaves a part that names its charset alone', () => {
    const raw = 'Content-Type: text/plain; charset=iso-8859-2\r\n\r\n\xb1\r\n';
    assert.equal(rewritten(raw), raw);
  });

  it('reads charset= from a folded Content-Type, wherever the fold is', () => {
    for (const raw of [
      'Content-Type: text/plain;\r\n charset=iso-8859-2\r\n\r\n\xb1\r\n',
      'Content-Type: text/plain;\r\n\tformat=flowed;\r\n\tcharset="iso-8859-2"\r\n\r\n\xb1\r\n',
      'Subject: a\r\nContent-Type: text/plain;\n charset=iso-8859-2\nX-Other: charset=none\n\n\xb1\n',
    ]) {
      assert.equal(rewritten(raw), raw, JSON.stringify(raw));
    }
  });

  it('does not take charset= from another header for the Content-Type', () => {
    const out = rewritten('X-Note: charset=utf-8\r\nContent-Type: text/plain;\r\n format=flowed\r\n\r\ncaf\xe9\r\n');
    assert.match(out, /^Content-Type: text\/plain; charset=windows-1252\r\n format=flowed\r\n/m);
  });

  it('reads a folded charset through the parser: ISO-8859-2 stays ISO-8859-2', async () => {
    const m = await parseMessageSource(latin1('Subject: p\r\nContent-Type: text/plain;\r\n charset=iso-8859-2\r\nContent-Transfer-Encoding: 8bit\r\n\r\nZa\xbf\xf3\xb3\xe6\r\n'), meta);
    assert.equal(m.text, 'Zażółć\n');
  });

  it('leaves non-text parts alone', () => {
    const raw = 'Content-Type: application/octet-stream\r\n\r\n\xff\xfe\r\n';
    assert.equal(rewritten(raw), raw);
  });

  it('rewrites the header block of every part, found by its boundary, and not the bodies', () => {
    const raw = [
      'Content-Type: multipart/mixed;\r\n boundary="b1"\r\n',
      '\r\n',
      'preamble Content-Type: text/plain\r\n',
      '--b1\r\n',
      'Content-Type: text/plain\r\n',
      '\r\n',
      'Content-Type: text/plain\r\n',
      '--b1 \r\n',
      'Content-Type: text/html; charset=utf-8\r\n',
      '\r\n',
      'x\r\n',
      '--b1--\r\n',
      'Content-Type: text/plain\r\n',
    ].join('');
    const out = rewritten(raw).split('\r\n');
    assert.deepEqual(out, [
      'Content-Type: multipart/mixed;',
      ' boundary="b1"',
      '',
      'preamble Content-Type: text/plain',
      '--b1',
      'Content-Type: text/plain; charset=windows-1252',
      '',
      'Content-Type: text/plain',
      '--b1 ',
      'Content-Type: text/html; charset=utf-8',
      '',
      'x',
      '--b1--',
      'Content-Type: text/plain',
      '',
    ]);
  });

  it('finds unquoted boundaries too', () => {
    const out = rewritten('Content-Type: multipart/alternative; boundary=zz;\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\n\xe9\r\n--zz--\r\n');
    assert.match(out, /--zz\r\nContent-Type: text\/plain; charset=windows-1252\r\n/);
  });

  it('turns raw 8-bit header bytes into UTF-8 as Windows-1252, and keeps UTF-8 headers', () => {
    const out = Buffer.from(declareLegacyCharset(latin1('Subject: Caf\xe9 \x80\r\nX-A: plain\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\xe9'))).toString('utf8');
    assert.match(out, /^Subject: Café €\r\n/);
    assert.match(out, /\r\nX-A: plain\r\n/);
    const utf8 = Buffer.concat([Buffer.from('Subject: Déjà\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n', 'utf8')]);
    assert.deepEqual(Buffer.from(declareLegacyCharset(utf8)), utf8);
  });

  it('rewrites the header even without a blank line after it', () => {
    assert.equal(rewritten('Content-Type: text/plain'), 'Content-Type: text/plain; charset=windows-1252');
  });
});

describe('decoding legacy bytes', () => {
  it('maps every C1 control to its Windows-1252 character', () => {
    assert.equal(repairC1Controls('\x80\x82\x85\x8a\x99\x9f a'), '€‚…Š™Ÿ a');
    assert.equal(repairC1Controls('\x81\x8d\x8f\x90\x9d'), '\x81\x8d\x8f\x90\x9d', 'the five holes of Windows-1252 stay');
    assert.equal(decodeWindows1252(latin1('\x80 caf\xe9 \x9c')), '€ café œ');
  });

  it('tells valid UTF-8 from other bytes', () => {
    assert.equal(isValidUtf8(Buffer.from('Déjà', 'utf8')), true);
    assert.equal(isValidUtf8(latin1('D\xe9j\xe0')), false);
    assert.equal(isValidUtf8(new Uint8Array()), true);
  });

  it('decodes leniently: UTF-8 when valid, Windows-1252 otherwise', () => {
    assert.equal(decodeLenient(Buffer.from('Déjà €', 'utf8')), 'Déjà €');
    assert.equal(decodeLenient(latin1('D\xe9j\xe0 \x80')), 'Déjà €');
  });

  it('converts bytes to a binary string and back, unchanged, above the chunk size', () => {
    const bytes = new Uint8Array(0x8000 * 2 + 7).map((_, i) => (i * 31) & 0xff);
    const binary = bytesToBinary(bytes);
    assert.equal(binary.length, bytes.length);
    assert.equal(binary.charCodeAt(0x8000 + 3), bytes[0x8000 + 3]);
    assert.deepEqual(binaryToBytes(binary), bytes);
    assert.deepEqual(binaryToBytes('\u0141'), new Uint8Array([0x41]));
  });
});
