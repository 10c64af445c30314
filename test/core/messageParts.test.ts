/**
 * Reading a message part by part against a real Dovecot, with the commands on the wire recorded:
 * each shown part must be fetched with the header that describes it (RFC 3501 6.4.5), and nothing
 * the view does not show may be fetched.
 */
import * as assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { readAttachment, readMessage } from '../../src/core/message/messageReader';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { fixture } from '../support/fixtures';

const FIXTURES = [
  'mixed-text-first.eml',
  'nested-alternative.eml',
  'forwarded-inline-first.eml',
  'forwarded-attached-first.eml',
  'single-plain.eml',
  'single-html.eml',
  'qp-latin1-part.eml',
  'base64-koi8r-part.eml',
  'only-attachment.eml',
];

describe('reading a message part by part', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let client: ImapFlow;
  /** Client lines (`C:`) since the last `wire.length = 0`. */
  const wire: string[] = [];
  const uidBySubject = new Map<string, number>();

  const uid = (subject: string): number => {
    const found = uidBySubject.get(subject);
    assert.ok(found, `no message '${subject}' in ${[...uidBySubject.keys()].join(' | ')}`);
    return found;
  };
  /** The BODY.PEEK sections of every FETCH sent since the wire log was cleared, upper case. */
  const fetchedSections = (): string[] =>
    wire.filter((line) => /\bFETCH\b/i.test(line)).flatMap((line) => [...line.matchAll(/BODY\.PEEK\[([^\]]*)\]/gi)].map((m) => m[1].toUpperCase()));

  before(async () => {
    server = await startDovecot();
    for (const name of FIXTURES) {
      await server.deliver('alice', 'INBOX', fixture(`parts/${name}`));
    }
    const record = (entry: { src?: string; msg?: string }) => {
      if (entry.src === 'c' && entry.msg) wire.push(entry.msg);
    };
    const quiet = () => undefined;
    client = new ImapFlow({
      host: '127.0.0.1',
      port: server.port,
      secure: false,
      doSTARTTLS: false,
      auth: { user: 'alice', pass: server.users.alice },
      logger: { debug: record, info: quiet, warn: quiet, error: quiet, trace: quiet } as never,
    });
    client.on('error', () => undefined);
    await client.connect();
    await client.mailboxOpen('INBOX');
    for (const msg of await client.fetchAll('1:*', { uid: true, envelope: true })) {
      uidBySubject.set(msg.envelope?.subject ?? '', msg.uid);
    }
    assert.equal(uidBySubject.size, FIXTURES.length);
  });
  beforeEach(() => {
    wire.length = 0;
  });
  after(async () => {
    await client?.logout().catch(() => client.close());
    await server?.stop();
  });

  it('shows the text that comes before an attachment, fetched with its own MIME header, without the attachment', async () => {
    const { content } = await readMessage(client, 'INBOX', uid('Parts: text then attachment'));
    assert.match(content.text ?? '', /quarterly numbers are in the attached file\.\s+Please check the totals before Friday\./);
    assert.equal(content.html, undefined);
    assert.deepEqual(content.attachments.map((a) => [a.filename, a.mimeType]), [['sample.bin', 'application/octet-stream']]);
    assert.deepEqual(fetchedSections().sort(), ['1', '1.MIME']);
  });

  it('downloads that attachment decoded, equal to the original file byte for byte', async () => {
    const downloaded = await readAttachment(client, uid('Parts: text then attachment'), 0);
    assert.equal(downloaded.filename, 'sample.bin');
    assert.ok(Buffer.from(downloaded.content).equals(fixture('parts/sample.bin')), 'downloaded bytes differ from sample.bin');
    assert.deepEqual(fetchedSections().sort(), ['2', '2.MIME']);
  });

  it('chooses the HTML of an alternative inside mixed and resolves its cid: image, leaving the CSV alone', async () => {
    const { content, inlineImages } = await readMessage(client, 'INBOX', uid('Parts: alternative inside mixed'));
    assert.match(content.html ?? '', /HTML version: <b>the logo<\/b>/);
    assert.doesNotMatch(content.html ?? '', /Plain version/);
    const image = inlineImages['logo@parts.test'] ?? '';
    assert.match(image, /^data:image\/png;base64,/);
    assert.ok(Buffer.from(image.split(',')[1] ?? '', 'base64').equals(fixture('parts/dot.png')), 'inline image bytes differ from dot.png');
    assert.deepEqual(content.attachments.map((a) => a.filename), ['totals.csv']);
    // 1.1 is the plain alternative and 3 the CSV: neither is shown, so neither is fetched.
    assert.deepEqual(fetchedSections().sort(), ['1.2', '1.2.MIME', '2', '2.MIME']);
  });

  it('shows a forwarded message that comes first with its own charset, then the note after it', async () => {
    const { content } = await readMessage(client, 'INBOX', uid('Parts: forwarded message first'));
    assert.match(content.text ?? '', /Cher collègue, voici la question d'origine : où est le café \?/);
    assert.match(content.text ?? '', /My note after the forwarded message\./);
    assert.ok((content.text ?? '').indexOf('Cher') < (content.text ?? '').indexOf('My note'), 'parts out of order');
    // The enclosed message is single-part: its text is 1.TEXT, described by its own header 1.HEADER.
    assert.deepEqual(fetchedSections().sort(), ['1.HEADER', '1.TEXT', '2', '2.MIME']);
  });

  it('lists a forwarded message marked as an attachment and downloads it whole', async () => {
    const id = uid('Parts: forwarded attachment first');
    const { content } = await readMessage(client, 'INBOX', id);
    assert.match(content.text ?? '', /See the attached original message\./);
    assert.doesNotMatch(content.text ?? '', /Cher/);
    assert.deepEqual(content.attachments.map((a) => [a.filename, a.mimeType]), [['original.eml', 'message/rfc822']]);
    assert.deepEqual(fetchedSections().sort(), ['2', '2.MIME']);

    wire.length = 0;
    const downloaded = await readAttachment(client, id, 0);
    assert.equal(downloaded.filename, 'original.eml');
    assert.equal(Buffer.from(downloaded.content).toString('latin1'), fixture('parts/enclosed.eml').toString('latin1'));
    assert.deepEqual(fetchedSections().sort(), ['1', '1.MIME']);
  });

  it('reads a single-part plain message from the message header and TEXT', async () => {
    const { content } = await readMessage(client, 'INBOX', uid('Parts: single plain'));
    assert.equal(content.text?.trim(), 'A single-part message: “quoted” € prices.');
    assert.deepEqual(fetchedSections().sort(), ['HEADER', 'TEXT']);
  });

  it('reads a single-part base64 HTML message in Latin-1', async () => {
    const { content } = await readMessage(client, 'INBOX', uid('Parts: single html'));
    assert.match(content.html ?? '', /<p>Un seul morceau : déjà vu\.<\/p>/);
    assert.deepEqual(fetchedSections().sort(), ['HEADER', 'TEXT']);
  });

  it('decodes a quoted-printable Latin-1 first part by its part header, not the multipart header', async () => {
    const { content } = await readMessage(client, 'INBOX', uid('Parts: latin-1 quoted-printable part'));
    assert.equal(content.text?.trim(), 'Bonjour, le résumé est joint. À bientôt.');
    assert.deepEqual(fetchedSections().sort(), ['1', '1.MIME']);
  });

  it('decodes a base64 KOI8-R first part by its part header', async () => {
    const { content } = await readMessage(client, 'INBOX', uid('Parts: koi8-r base64 part'));
    assert.equal(content.text?.trim(), 'Привет! Отчёт во вложении.');
    assert.deepEqual(fetchedSections().sort(), ['1', '1.MIME']);
  });

  it('reads a message with no text part whole, and still downloads its one attachment from the message body', async () => {
    const id = uid('Parts: only an attachment');
    const { content } = await readMessage(client, 'INBOX', id);
    assert.deepEqual(content.attachments.map((a) => [a.index, a.filename]), [[0, 'sample.bin']]);
    assert.deepEqual(fetchedSections(), [''], 'the whole message (BODY.PEEK[]) is read for the lenient parse');

    wire.length = 0;
    const downloaded = await readAttachment(client, id, 0);
    assert.ok(Buffer.from(downloaded.content).equals(fixture('parts/sample.bin')), 'downloaded bytes differ from sample.bin');
    assert.deepEqual(fetchedSections().sort(), ['HEADER', 'TEXT']);
  });
});
