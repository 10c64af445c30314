/**
 * MIME details the fixture tests in test/core/mime.test.ts leave open: parts fetched on their own
 * (RFC 3501 BODY[n.MIME] + BODY[n]), inline images, structure warnings, the raw-source fallback
 * and names for unnamed attachments.
 */
import * as assert from 'node:assert/strict';
import { decodePart, extractAttachment, fallbackFilename, parseMessageForDisplay, parseMessageSource } from '../../src/core/message/mime';

const meta = { uid: 3, folder: 'Lists' };
const latin1 = (s: string) => Buffer.from(s, 'latin1');
const crlf = (...lines: string[]) => lines.join('\r\n');
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

describe('MIME details', () => {
  describe('names for unnamed attachments', () => {
    const expected: [string, string][] = [
      ['application/pdf', 'pdf'],
      ['application/zip', 'zip'],
      ['application/gzip', 'gz'],
      ['application/json', 'json'],
      ['application/xml', 'xml'],
      ['application/msword', 'doc'],
      ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'],
      ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'],
      ['application/vnd.openxmlformats-officedocument.presentationml.presentation', 'pptx'],
      ['application/pgp-signature', 'asc'],
      ['application/pkcs7-signature', 'p7s'],
      ['application/octet-stream', 'bin'],
      ['message/rfc822', 'eml'],
      ['message/delivery-status', 'txt'],
      ['text/plain', 'txt'],
      ['text/html', 'html'],
      ['text/csv', 'csv'],
      ['text/calendar', 'ics'],
      ['image/jpeg', 'jpg'],
      ['image/svg+xml', 'svg'],
      ['image/png', 'png'],
      ['IMAGE/GIF', 'gif'],
      ['audio/ogg', 'ogg'],
      ['video/mp4', 'mp4'],
      ['image/x-icon', 'bin'],
      ['application/x-unknown', 'bin'],
      ['text/x-weird', 'bin'],
      ['xaudio/ogg', 'bin'],
      ['audio/ogg2x', 'ogg2x'],
    ];
    for (const [type, ext] of expected) {
      it(`${type} → .${ext}`, () => {
        assert.equal(fallbackFilename(0, type), `attachment-1.${ext}`);
      });
    }
    it('counts from 1', () => {
      assert.equal(fallbackFilename(4, 'image/png'), 'attachment-5.png');
    });
  });

  describe('a part fetched on its own (decodePart)', () => {
    it('reads the charset from a folded Content-Type, with header names in any case', async () => {
      const part = await decodePart(crlf('content-TYPE: text/plain;', '\tcharset=iso-8859-2', 'Content-Transfer-Encoding: 8bit', ''), latin1('Za\xbf\xf3\xb3\xe6'));
      assert.equal(part.charset, 'iso-8859-2');
      assert.equal(part.text, 'Zażółć\n');
    });

    it('takes a part without Content-Type as text/plain (RFC 2045 5.2)', async () => {
      const part = await decodePart('Content-Transfer-Encoding: 7bit\r\n', Buffer.from('hello'));
      assert.equal(part.mimeType, 'text/plain');
      assert.equal(part.text, 'hello\n');
      assert.equal(part.charset, undefined);
    });

    it('lower-cases the type and ignores leading space', async () => {
      const part = await decodePart('Content-Type:   APPLICATION/Pdf\r\n', Buffer.from('%PDF'));
      assert.equal(part.mimeType, 'application/pdf');
      assert.equal(part.text, undefined);
      assert.equal(part.html, undefined);
      assert.match(Buffer.from(part.content).toString(), /^%PDF\s*$/);
      assert.equal(part.filename, undefined);
    });

    it('keeps a file name from Content-Disposition, and decodes base64', async () => {
      const part = await decodePart(
        crlf('Content-Type: image/png', 'Content-Disposition: inline; filename="dot.png"', 'Content-Transfer-Encoding: base64', ''),
        Buffer.from(PNG_BASE64),
      );
      assert.equal(part.filename, 'dot.png');
      assert.deepEqual(Buffer.from(part.content), Buffer.from(PNG_BASE64, 'base64'));
    });

    it('applies format=flowed (RFC 3676) to plain text', async () => {
      const part = await decodePart('Content-Type: text/plain; format=flowed\r\n', Buffer.from('Hello \r\nworld\r\n'));
      assert.equal(part.text, 'Hello world\n');
    });

    it('decodes HTML in its charset, and repairs Windows-1252 read as Latin-1', async () => {
      const part = await decodePart('Content-Type: text/html; charset=iso-8859-1\r\n', latin1('<p>\x80 caf\xe9</p>'));
      assert.equal(part.html?.trim(), '<p>€ café</p>');
      assert.equal(part.text, undefined);
      assert.equal(part.charset, 'iso-8859-1');
    });

    it('reads undeclared 8-bit HTML as Windows-1252 and says so', async () => {
      const part = await decodePart('Content-Type: text/html\r\n', latin1('<b>d\xe9j\xe0</b>'));
      assert.equal(part.html?.trim(), '<b>déjà</b>');
      assert.equal(part.charset, 'windows-1252');
    });

    it('decodes other text types (CSV, calendars) by their charset', async () => {
      const csv = await decodePart('Content-Type: text/csv; charset=iso-8859-2\r\n', latin1('a;\xb1\r\n'));
      assert.equal(csv.text?.trim(), 'a;ą');
      assert.equal(csv.html, undefined);
      const undeclared = await decodePart('Content-Type: text/calendar\r\n', latin1('SUMMARY:Caf\xe9'));
      assert.equal(undeclared.text?.trim(), 'SUMMARY:Café');
      assert.equal(undeclared.charset, 'windows-1252');
      const utf8 = await decodePart('Content-Type: text/csv\r\n', Buffer.from('Déjà', 'utf8'));
      assert.equal(utf8.text?.trim(), 'Déjà');
      const unknown = await decodePart('Content-Type: text/csv; charset=x-no-such-charset\r\n', latin1('caf\xe9'));
      assert.equal(unknown.text?.trim(), 'café');
    });
  });

  describe('inline images and attachments of a full message', () => {
    const message = crlf(
      'Subject: pictures',
      'Content-Type: multipart/related; boundary="r"',
      '',
      '--r',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<img src="cid:dot@x">',
      '--r',
      'Content-Type: image/png',
      'Content-Transfer-Encoding: base64',
      'Content-ID:  <dot@x> ',
      '',
      PNG_BASE64,
      '--r',
      'Content-Type: image/png',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="no-id.png"',
      '',
      PNG_BASE64,
      '--r',
      'Content-Type: application/pdf',
      'Content-Transfer-Encoding: base64',
      'Content-ID: <doc@x>',
      '',
      Buffer.from('%PDF').toString('base64'),
      '--r',
      'Content-Type: image/png; x=y',
      'Content-Transfer-Encoding: base64',
      'Content-ID: bare@x',
      '',
      PNG_BASE64,
      '--r--',
      '',
    );

    it('resolves only images that have a Content-ID and bytes, as data: URLs keyed without angle brackets', async () => {
      const { inlineImages, content } = await parseMessageForDisplay(message, meta);
      assert.deepEqual(Object.keys(inlineImages).sort(), ['bare@x', 'dot@x']);
      assert.equal(inlineImages['dot@x'], `data:image/png;base64,${PNG_BASE64}`);
      assert.deepEqual(content.attachments.map((a) => [a.filename, a.mimeType, a.contentId]), [
        ['attachment-1.png', 'image/png', 'dot@x'],
        ['no-id.png', 'image/png', undefined],
        ['attachment-3.pdf', 'application/pdf', 'doc@x'],
        ['attachment-4.png', 'image/png', 'bare@x'],
      ]);
      assert.equal(content.attachments[0].size, Buffer.from(PNG_BASE64, 'base64').length);
      assert.equal(content.attachments[2].size, 4);
      assert.deepEqual(content.attachments.map((a) => a.index), [0, 1, 2, 3]);
      assert.equal(content.parseWarning, undefined);
    });

    it('extracts an attachment by index, decoded, and nothing for an index out of range', async () => {
      const pdf = await extractAttachment(message, 2);
      assert.deepEqual(pdf && { ...pdf, content: Buffer.from(pdf.content).toString() }, { filename: 'attachment-3.pdf', mimeType: 'application/pdf', content: '%PDF' });
      assert.equal((await extractAttachment(message, 1))?.filename, 'no-id.png');
      assert.equal(await extractAttachment(message, 9), undefined);
    });
  });

  describe('addresses', () => {
    it('keeps name-only and address-only mailboxes, drops empty ones, flattens groups', async () => {
      const m = await parseMessageSource(crlf('From: "Only Name" <>', 'To: bare@example.com, Team: "A" <a@example.com>;, undisclosed-recipients:;', 'Cc: C <c@example.com>', 'Reply-To: r@example.com', 'Subject: a', '', 'x'), meta);
      assert.deepEqual(m.to, [{ address: 'bare@example.com' }, { name: 'A', address: 'a@example.com' }]);
      assert.deepEqual(m.cc, [{ name: 'C', address: 'c@example.com' }]);
      assert.deepEqual(m.replyTo, [{ address: 'r@example.com' }]);
      assert.ok(m.from.every((a) => a.name || a.address));
      assert.equal(m.uid, 3);
      assert.equal(m.folder, 'Lists');
    });

    it('repairs Windows-1252 in names, subjects and file names declared as ISO-8859-1', async () => {
      const m = await parseMessageSource(
        latin1(crlf(
          'From: =?iso-8859-1?q?=80uro_Bank?= <bank@example.com>',
          'To: =?iso-8859-1?q?=93Quoted=94?= <q@example.com>',
          'Subject: =?iso-8859-1?q?Price_in_=80?=',
          'Content-Type: multipart/mixed; boundary=m',
          '',
          '--m',
          'Content-Type: text/plain; charset=iso-8859-1',
          '',
          '\x80 5',
          '--m',
          'Content-Type: text/html; charset=iso-8859-1',
          '',
          '<p>\x80 6</p>',
          '--m',
          'Content-Type: application/octet-stream',
          'Content-Disposition: attachment; filename="=?iso-8859-1?q?=80.bin?="',
          '',
          'x',
          '--m--',
          '',
        )),
        meta,
      );
      assert.equal(m.from[0].name, '€uro Bank');
      assert.equal(m.to[0].name, '“Quoted”');
      assert.equal(m.subject, 'Price in €');
      assert.match(m.text ?? '', /€ 5/);
      assert.match(m.html ?? '', /€ 6/);
      assert.equal(m.attachments[0].filename, '€.bin');
    });

    it('keeps a message that really contains U+FFFD as UTF-8', async () => {
      const m = await parseMessageSource(Buffer.from('Subject: a \uFFFD b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nx \uFFFD y', 'utf8'), meta);
      assert.equal(m.subject, 'a \uFFFD b');
      assert.equal(m.text?.trim(), 'x \uFFFD y');
    });
  });

  describe('which charset a whole message is read in', () => {
    it('keeps undeclared but valid UTF-8 as UTF-8', async () => {
      const m = await parseMessageSource(Buffer.from('Subject: Déjà vu\r\nFrom: Zoë <z@example.com>\r\n\r\nCrème brûlée\r\n', 'utf8'), meta);
      assert.equal(m.subject, 'Déjà vu');
      assert.equal(m.from[0].name, 'Zoë');
      assert.equal(m.text?.trim(), 'Crème brûlée');
    });

    for (const header of ['From', 'To', 'Cc']) {
      it(`repairs undeclared 8-bit text that occurs only in a ${header} name`, async () => {
        const m = await parseMessageSource(latin1(`Subject: plain\r\n${header}: Ren\xe9e <r@example.fr>\r\n\r\nascii only\r\n`), meta);
        const list = header === 'From' ? m.from : header === 'To' ? m.to : m.cc;
        assert.deepEqual(list, [{ name: 'Renée', address: 'r@example.fr' }]);
      });
    }

    it('has empty subject and sender, and no warning key, when the message has none', async () => {
      const m = await parseMessageSource('X-Nothing: here\r\n\r\nbody', meta);
      assert.equal(m.subject, '');
      assert.deepEqual(m.from, []);
      assert.ok(!('parseWarning' in m), 'no parseWarning key at all');
    });

    it('names no charset for a UTF-8 part fetched on its own', async () => {
      const part = await decodePart('Content-Type: text/plain\r\n', Buffer.from('Déjà', 'utf8'));
      assert.ok(!('charset' in part));
    });

    it('keeps images above 5 MB out of the inline images (the view would crawl)', async () => {
      const big = Buffer.alloc(5 * 1024 * 1024 + 1, 1).toString('base64');
      const limit = Buffer.alloc(5 * 1024 * 1024, 1).toString('base64');
      const part = (id: string, body: string) => crlf('--r', 'Content-Type: image/png', 'Content-Transfer-Encoding: base64', `Content-ID: <${id}>`, '', body);
      const { inlineImages } = await parseMessageForDisplay(crlf('Content-Type: multipart/related; boundary=r', '', part('big@x', big), part('limit@x', limit), '--r--', ''), meta);
      assert.deepEqual(Object.keys(inlineImages), ['limit@x']);
    });
  });

  describe('structure warnings', () => {
    it('warns when a multipart message names no boundary', async () => {
      const m = await parseMessageSource(crlf('Subject: s', 'Content-Type: multipart/mixed', '', 'text'), meta);
      assert.match(m.parseWarning ?? '', /does not say where they begin/);
    });

    it('warns when the closing delimiter never comes, and not when it does', async () => {
      const open = await parseMessageSource(crlf('Content-Type: Multipart/Mixed; boundary="z"', '', '--z', 'Content-Type: text/plain', '', 'a', ''), meta);
      assert.match(open.parseWarning ?? '', /ends before its last part is closed/);
      const closed = await parseMessageSource(crlf('Content-Type: multipart/mixed; boundary="z"', '', '--z', 'Content-Type: text/plain', '', 'a', '--z--', ''), meta);
      assert.equal(closed.parseWarning, undefined);
    });

    it('does not warn about single-part messages', async () => {
      const m = await parseMessageSource(crlf('Content-Type: text/plain; boundary=z', '', 'a'), meta);
      assert.equal(m.parseWarning, undefined);
      const named = await parseMessageSource(crlf('Content-Type: application/x-multipart/thing; boundary=z', '', 'a'), meta);
      assert.equal(named.parseWarning, undefined);
    });
  });

  describe('the raw-source fallback', () => {
    /**
     * A header block over postal-mime's 2 MiB limit makes the parse itself fail. (Nesting deeper
     * than it allows no longer does: such a message is read flat, see test/unit/deepStructure.)
     */
    const tooDeep = (head: string, eol = '\r\n') => `${head}X-Padding: ${'a'.repeat(2 * 1024 * 1024 + 1)}${eol}${eol}text${eol}`;

    it('reads a folded, encoded Subject from the raw header, with CRLF or LF', async () => {
      for (const eol of ['\r\n', '\n']) {
        const m = await parseMessageSource(tooDeep(`X-A: 1${eol}subject:\t=?utf-8?q?Folded?=${eol} =?utf-8?q?_subject?=${eol}  more${eol}`, eol), meta);
        // Unfolding removes only the line break (RFC 5322 2.2.3): the two spaces before `more` stay.
        assert.equal(m.subject, 'Folded subject  more', JSON.stringify(eol));
        assert.match(m.parseWarning ?? '', /could not read the structure of this message \(.+\), so it is shown as raw source/);
        assert.deepEqual([m.from, m.to, m.cc, m.replyTo, m.attachments], [[], [], [], [], []]);
        assert.equal(m.uid, 3);
        assert.equal(m.folder, 'Lists');
        assert.ok(m.text?.startsWith('X-A: 1'));
      }
    });

    it('finds no subject in the body or where there is none', async () => {
      const m = await parseMessageSource(tooDeep('X-A: 1\r\n'), meta);
      assert.equal(m.subject, '');
      for (const eol of ['\r\n', '\n']) {
        const inBody = await parseMessageSource(tooDeep(`X-A: 1${eol}${eol}Subject: not a header${eol}`, eol), meta);
        assert.equal(inBody.subject, '', JSON.stringify(eol));
      }
      const headerOnly = await parseMessageSource(`Subject: only${'\r\n'}${tooDeep('').replace(/\r\n\r\n/g, '\r\n')}`, meta);
      assert.equal(headerOnly.subject, 'only');
    });

    it('keeps a subject that is not a valid encoded word as it is', async () => {
      const m = await parseMessageSource(tooDeep('Subject: Plain  words\r\n'), meta);
      assert.equal(m.subject, 'Plain  words');
    });
  });

  describe('odd part headers (decodePart)', () => {
    const zazolc = latin1('Za\xbf\xf3\xb3\xe6');
    const zazolcBase64 = Buffer.from(zazolc.toString('base64'));

    it('reads header lines separated by bare LF', async () => {
      const part = await decodePart('Content-Type: text/plain; charset=iso-8859-2\nContent-Transfer-Encoding: base64\n', zazolcBase64);
      assert.equal(part.text, 'Zażółć');
      assert.deepEqual(Buffer.from(part.content), zazolc);
    });

    it('skips a leading blank line, and reads parameter and encoding names in any case', async () => {
      const part = await decodePart('\r\nContent-Type: text/plain; CHARSET=iso-8859-2\r\nContent-Transfer-Encoding: BASE64\r\n', zazolcBase64);
      assert.equal(part.charset, 'iso-8859-2');
      assert.equal(part.text, 'Zażółć');
    });

    it('takes a Content-Type with parameters but no type as text/plain in that charset', async () => {
      const part = await decodePart('Content-Type: ; charset=iso-8859-2\r\n', latin1('Za\xbf'));
      assert.equal(part.mimeType, 'text/plain');
      assert.equal(part.charset, 'iso-8859-2');
      assert.equal(part.text, 'Zaż\n');
    });

    it('decodes a text part marked as an attachment as text, keeping its file name', async () => {
      const part = await decodePart('Content-Type: text/plain\r\nContent-Disposition: attachment; filename="a.txt"\r\n', Buffer.from('hello'));
      assert.equal(part.text, 'hello\n');
      assert.equal(part.filename, 'a.txt');
    });

    it('gives empty text, not nothing, for an empty text part', async () => {
      assert.equal((await decodePart('Content-Type: text/html\r\n', Buffer.alloc(0))).html, '');
      assert.equal((await decodePart('Content-Type: text/plain\r\n', Buffer.alloc(0))).text, '');
    });

    // A forwarded message saved as .eml must come out byte for byte, CRLFs included.
    for (const encoding of [undefined, '7bit', '8BIT', 'Binary', ' 8bit ']) {
      it(`keeps the bytes of a ${encoding === undefined ? 'part without Content-Transfer-Encoding' : `${encoding.trim()} part`} exactly as sent`, async () => {
        const body = Buffer.from('Subject: a\r\n\r\nline one\r\nline two\r\n');
        const head = `Content-Type: message/rfc822\r\n${encoding === undefined ? '' : `Content-Transfer-Encoding:${encoding}\r\n`}`;
        const part = await decodePart(head, body);
        assert.deepEqual(Buffer.from(part.content), body);
      });
    }

    it('falls back to the body as sent when the headers cannot be parsed (over 2 MiB)', async () => {
      const pad = `X-Padding: ${'a'.repeat(2 * 1024 * 1024 + 1)}\r\n`;
      const text = await decodePart(`${pad}Content-Type: text/plain; charset=utf-8\r\n`, Buffer.from('Crème\r\n'));
      assert.deepEqual([text.mimeType, text.text, Buffer.from(text.content).toString()], ['text/plain', 'Crème\r\n', 'Crème\r\n']);
      assert.ok(!('charset' in text) && !('filename' in text));
      const pdf = await decodePart(`${pad}Content-Type: application/pdf\r\n`, Buffer.from('%PDF'));
      assert.deepEqual([pdf.mimeType, pdf.text, Buffer.from(pdf.content).toString()], ['application/pdf', undefined, '%PDF']);
    });
  });

  describe('which parts become inline images', () => {
    const related = (...parts: [type: string, cid: string, base64: string][]) =>
      crlf('Content-Type: multipart/related; boundary=r', '', ...parts.flatMap(([type, cid, base64]) => ['--r', `Content-Type: ${type}`, 'Content-Transfer-Encoding: base64', `Content-ID: ${cid}`, '', base64]), '--r--', '');

    it('only image/<subtype>, so no other type lands in a data: URL', async () => {
      const { inlineImages, content } = await parseMessageForDisplay(
        related(['x-image/png', '<a@x>', PNG_BASE64], ['image/png_x', '<b@x>', PNG_BASE64], ['image/png/x', '<c@x>', PNG_BASE64], ['IMAGE/PNG', '<d@x>', PNG_BASE64]),
        meta,
      );
      assert.equal(content.attachments.length, 4);
      assert.deepEqual(Object.keys(inlineImages), ['d@x']);
      assert.equal(inlineImages['d@x'], `data:image/png;base64,${PNG_BASE64}`);
    });

    it('not an empty image, and keys a Content-ID with spaces inside its brackets without them', async () => {
      const { inlineImages, content } = await parseMessageForDisplay(related(['image/png', '<empty@x>', ''], ['image/png', '<  spaced@x  >', PNG_BASE64]), meta);
      assert.deepEqual(Object.keys(inlineImages), ['spaced@x']);
      assert.deepEqual(content.attachments.map((a) => [a.contentId, a.size]), [['empty@x', 0], ['spaced@x', Buffer.from(PNG_BASE64, 'base64').length]]);
    });
  });

  describe('the subject and text of the raw-source fallback', () => {
    const pad = `X-Padding: ${'a'.repeat(2 * 1024 * 1024 + 1)}`;

    it('looks for the subject only in the header, also when lines end in bare LF', async () => {
      const m = await parseMessageSource(`X-A: 1\n${pad}\n\nSubject: in the body\n`, meta);
      assert.match(m.parseWarning ?? '', /shown as raw source/);
      assert.equal(m.subject, '');
    });

    it('reads a subject on the last line of a message that is all header', async () => {
      const m = await parseMessageSource(`X-A: 1\r\n${pad}\r\nSubject: last`, meta);
      assert.equal(m.subject, 'last');
    });

    it('takes the Subject field, not one that ends in "subject", with or without a space after the colon', async () => {
      const m = await parseMessageSource(`X-Original-Subject: wrong\r\nSubject:tight  \r\n${pad}\r\n\r\nbody`, meta);
      assert.equal(m.subject, 'tight');
    });

    it('shows the source decoded as UTF-8 when it has no subject', async () => {
      const m = await parseMessageSource(`${pad}\r\n\r\nCrème brûlée`, meta);
      assert.equal(m.subject, '');
      assert.ok(m.text?.endsWith('\r\n\r\nCrème brûlée'), m.text?.slice(-20));
    });
  });
});
