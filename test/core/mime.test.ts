import * as assert from 'assert';
import { decodePart, extractAttachment, parseMessageForDisplay, parseMessageSource } from '../../src/core/message/mime';
import { fixture } from '../support/fixtures';

const meta = { uid: 7, folder: 'INBOX' };

describe('MIME parsing', () => {
  it('reads a plain-text bug report with its headers and URL', async () => {
    const m = await parseMessageSource(fixture('plain-text.eml'), meta);
    assert.strictEqual(m.subject, 'Crash when opening large workspace');
    assert.deepStrictEqual(m.from, [{ name: 'Dana Reyes', address: 'dana.reyes@example.org' }]);
    assert.deepStrictEqual(m.to, [{ name: 'Mailroom Team', address: 'team@example.com' }]);
    assert.deepStrictEqual(m.cc, [{ name: 'Lee Park', address: 'lee.park@example.org' }]);
    assert.deepStrictEqual(m.replyTo, [{ name: 'Dana Reyes', address: 'dana.reyes+bugs@example.org' }]);
    assert.strictEqual(m.date, '2026-01-12T08:13:58.000Z');
    assert.strictEqual(m.uid, 7);
    assert.strictEqual(m.folder, 'INBOX');
    assert.ok(m.text?.includes('https://github.com/octo/huge-monorepo'));
    assert.strictEqual(m.html, undefined, 'a text-only message must not get a generated HTML body');
    assert.deepStrictEqual(m.attachments, []);
    assert.strictEqual(m.parseWarning, undefined);
  });

  it('keeps both alternatives of an HTML newsletter, unsanitised', async () => {
    const m = await parseMessageSource(fixture('html-remote-image-script.eml'), meta);
    assert.strictEqual(m.subject, 'Weekly digest: 5 new extensions');
    assert.ok(m.html?.includes('https://tracker.example.com/pixel.gif'));
    assert.ok(m.html?.includes('<script>alert(1)</script>'), 'sanitising is the view\'s job, not the parser\'s');
    assert.ok(m.text?.startsWith('Weekly digest: 5 new extensions'));
  });

  it('lists attachments with file name, type, size and Content-ID, and returns inline images as data: URLs', async () => {
    const { content, inlineImages } = await parseMessageForDisplay(fixture('multipart-attachment.eml'), meta);
    assert.strictEqual(content.subject, 'Build logs attached');
    assert.ok(content.html?.includes('cid:status-badge@build.example.com'));
    assert.deepStrictEqual(
      content.attachments.map((a) => [a.index, a.filename, a.mimeType, a.contentId]),
      [
        [0, 'badge.png', 'image/png', 'status-badge@build.example.com'],
        [1, 'report.pdf', 'application/pdf', undefined],
      ],
    );
    const pdf = content.attachments[1];
    assert.ok(pdf.size > 100 && pdf.size < 1000, `PDF size ${pdf.size}`);
    const badge = inlineImages['status-badge@build.example.com'];
    assert.ok(badge?.startsWith('data:image/png;base64,iVBORw0KGgo'), 'inline PNG as a data: URL');
    assert.strictEqual(Object.keys(inlineImages).length, 1, 'only images are inlined, not the PDF');
  });

  it('extracts one attachment by index from the full source', async () => {
    const pdf = await extractAttachment(fixture('multipart-attachment.eml'), 1);
    assert.ok(pdf);
    assert.strictEqual(pdf.filename, 'report.pdf');
    assert.strictEqual(pdf.mimeType, 'application/pdf');
    assert.strictEqual(new TextDecoder().decode(pdf.content.slice(0, 8)), '%PDF-1.4');
    const png = await extractAttachment(fixture('multipart-attachment.eml'), 0);
    assert.deepStrictEqual(Array.from(png?.content.slice(0, 4) ?? []), [0x89, 0x50, 0x4e, 0x47]);
    assert.strictEqual(await extractAttachment(fixture('multipart-attachment.eml'), 5), undefined);
  });

  it('decodes an ISO-8859-1 quoted-printable body and RFC 2047 encoded headers', async () => {
    const m = await parseMessageSource(fixture('latin1-charset.eml'), meta);
    assert.strictEqual(m.subject, 'Réunion: café à 10h');
    assert.deepStrictEqual(m.from, [{ name: 'Renée Dupré', address: 'renee.dupre@example.fr' }]);
    assert.strictEqual(m.to[0].name, 'Équipe Café');
    assert.ok(m.text?.includes('La réunion hebdomadaire aura lieu demain au café du coin, à 10h.'));
    assert.ok(m.text?.includes('À demain,'));
    assert.ok(!m.text?.includes('\uFFFD'));
  });

  it('reads a GitHub notification with its list headers and both alternatives', async () => {
    const m = await parseMessageSource(fixture('github-notification.eml'), meta);
    assert.strictEqual(m.subject, 'Re: [octo/mailroom] Tree does not refresh after IDLE (#42)');
    assert.deepStrictEqual(m.from, [{ name: 'Octo Cat', address: 'notifications@github.com' }]);
    assert.ok(m.html?.includes('class="user-mention"'));
    assert.ok(m.text?.includes('You are receiving this because you were mentioned.'));
    const raw = new TextDecoder().decode(fixture('github-notification.eml'));
    assert.match(raw, /^List-ID: octo\/mailroom <mailroom\.octo\.github\.com>\r$/m);
    assert.match(raw, /^X-GitHub-Reason: mention\r$/m);
  });

  it('does not throw on a malformed message and still yields its readable text with a warning', async () => {
    const m = await parseMessageSource(fixture('malformed.eml'), meta);
    assert.strictEqual(m.subject, 'Malformed: broken boundary');
    assert.ok(m.text?.includes('This paragraph should still be readable.'));
    assert.ok(m.text?.includes('the closing boundary never comes'));
    assert.match(m.parseWarning ?? '', /ends before its last part is closed/);
  });

  it('shows the raw source with a plain-words warning when the structure cannot be parsed at all', async () => {
    // A header block over postal-mime's 2 MiB limit makes the parse itself fail.
    const body = `X-Padding: ${'a'.repeat(2 * 1024 * 1024 + 1)}\r\n\r\nDeeply nested caf\xe9 text\r\n`;
    const raw = Buffer.from(`Subject: =?utf-8?q?Too_deep?=\r\nMIME-Version: 1.0\r\n${body}`, 'latin1');
    const m = await parseMessageSource(raw, meta);
    assert.strictEqual(m.subject, 'Too deep');
    assert.match(m.parseWarning ?? '', /could not read the structure of this message/);
    assert.ok(m.text?.includes('Deeply nested café text'), 'non-UTF-8 source falls back to a Latin-1 reading');
    assert.deepStrictEqual(m.attachments, []);
  });

  it('never rejects, whatever it is given', async () => {
    for (const input of ['', '\r\n\r\n', 'no headers at all', new Uint8Array([0xff, 0xfe, 0x00, 0x0a, 0x0d])]) {
      const m = await parseMessageSource(input, meta);
      assert.strictEqual(typeof m.subject, 'string');
    }
  });

  it('reads undeclared 8-bit text as Windows-1252 rather than as broken UTF-8', async () => {
    const raw = Buffer.from(
      'Subject: Caf\xe9 cr\xe8me\r\nFrom: Ren\xe9e <r@example.fr>\r\nContent-Type: text/plain\r\n\r\nUn caf\xe9 \x80 2\r\n',
      'latin1',
    );
    const m = await parseMessageSource(raw, meta);
    assert.strictEqual(m.subject, 'Café crème');
    assert.strictEqual(m.from[0].name, 'Renée');
    assert.strictEqual(m.text, 'Un café € 2\n');
  });

  it('reads only the undeclared part of a multipart message as Windows-1252', async () => {
    const raw = Buffer.concat([
      Buffer.from('Subject: mixed\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n', 'latin1'),
      Buffer.from('Déjà vu in UTF-8\r\n', 'utf8'),
      Buffer.from('--b\r\nContent-Type: text/plain\r\n\r\nCr\xe8me br\xfbl\xe9e\r\n--b--\r\n', 'latin1'),
    ]);
    const m = await parseMessageSource(raw, meta);
    assert.ok(m.text?.includes('Déjà vu in UTF-8'), m.text);
    assert.ok(m.text?.includes('Crème brûlée'), m.text);
  });

  it('flattens address groups into their members', async () => {
    const m = await parseMessageSource('To: Team: a@example.com, Bo <b@example.com>;, c@example.com\r\nSubject: g\r\n\r\nx', meta);
    assert.deepStrictEqual(
      m.to.map((a) => a.address),
      ['a@example.com', 'b@example.com', 'c@example.com'],
    );
  });

  it('names attachments without a file name after their type', async () => {
    const raw = [
      'Subject: unnamed',
      'Content-Type: multipart/mixed; boundary=x',
      '',
      '--x',
      'Content-Type: text/plain',
      '',
      'see attached',
      '--x',
      'Content-Type: image/jpeg',
      'Content-Transfer-Encoding: base64',
      'Content-ID: <photo@x>',
      '',
      '/9j/4AAQ',
      '--x',
      'Content-Type: application/octet-stream',
      '',
      'bytes',
      '--x--',
      '',
    ].join('\r\n');
    const m = await parseMessageSource(raw, meta);
    assert.deepStrictEqual(
      m.attachments.map((a) => a.filename),
      ['attachment-1.jpg', 'attachment-2.bin'],
    );
    assert.strictEqual(m.attachments[0].contentId, 'photo@x');
  });
});

describe('decodePart', () => {
  it('decodes a base64 part fetched on its own, with its file name', async () => {
    const headers = 'Content-Type: application/pdf; name="report.pdf"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="report.pdf"\r\n\r\n';
    const body = new TextEncoder().encode(`${Buffer.from('%PDF-1.4 tiny').toString('base64')}\r\n`);
    const part = await decodePart(headers, body);
    assert.strictEqual(part.mimeType, 'application/pdf');
    assert.strictEqual(part.filename, 'report.pdf');
    assert.strictEqual(new TextDecoder().decode(part.content), '%PDF-1.4 tiny');
    assert.strictEqual(part.text, undefined);
  });

  it('decodes a quoted-printable ISO-8859-1 text part to Unicode', async () => {
    const headers = new TextEncoder().encode('Content-Type: text/plain; charset="ISO-8859-1"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n');
    const body = new TextEncoder().encode('R=E9union au caf=E9 =E0 10h,=\r\n sans faute.\r\n');
    const part = await decodePart(headers, body);
    assert.strictEqual(part.mimeType, 'text/plain');
    assert.strictEqual(part.charset, 'ISO-8859-1');
    assert.strictEqual(part.text, 'Réunion au café à 10h, sans faute.\n');
    assert.deepStrictEqual(Array.from(part.content.slice(0, 2)), [0x52, 0xe9], 'content keeps the charset bytes');
  });

  it('decodes base64 Shift_JIS HTML and windows-1252 text', async () => {
    const sjis = Buffer.from([0x93, 0xfa, 0x96, 0x7b]).toString('base64'); // 日本
    const html = await decodePart('Content-Type: text/html; charset=shift_jis\r\nContent-Transfer-Encoding: base64', Buffer.from(sjis));
    assert.strictEqual(html.html, '日本');
    const cp = await decodePart('Content-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: 8bit\r\n', Buffer.from([0x80, 0x20, 0x35]));
    assert.strictEqual(cp.text, '€ 5\n');
  });

  it('treats undeclared 8-bit text as Windows-1252', async () => {
    const part = await decodePart('Content-Type: text/plain\r\n', Buffer.from('caf\xe9', 'latin1'));
    assert.strictEqual(part.text, 'café\n');
    assert.strictEqual(part.charset, 'windows-1252');
    const utf8 = await decodePart('Content-Type: text/plain\r\n', Buffer.from('café', 'utf8'));
    assert.strictEqual(utf8.text, 'café\n');
    assert.strictEqual(utf8.charset, undefined);
  });
});
