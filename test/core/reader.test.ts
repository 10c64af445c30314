import * as assert from 'node:assert/strict';
import type { AccountSession } from '../../src/core/account/accountSession';
import { extractAttachment, parseMessageForDisplay } from '../../src/core/message/mime';
import type { MessageSummary } from '../../src/core/model/types';
import { aliceSession } from '../support/session';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { fixture, fixtureNames } from '../support/fixtures';

describe('reading a message from the server', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let session: AccountSession;
  let inbox: MessageSummary[];
  const bySubject = (pattern: RegExp) => {
    const found = inbox.find((m) => pattern.test(m.subject));
    assert.ok(found, `no message matching ${pattern} in ${inbox.map((m) => m.subject).join(' | ')}`);
    return found;
  };

  before(async () => {
    server = await startDovecot();
    for (const name of fixtureNames()) {
      await server.deliver('alice', 'INBOX', fixture(name));
    }
    session = aliceSession(server);
    inbox = (await session.openFolder('INBOX')).messages;
  });
  after(async () => {
    session?.dispose();
    await server?.stop();
  });

  it('lists every fixture with its decoded subject and attachment mark', () => {
    assert.equal(inbox.length, fixtureNames().length);
    assert.equal(bySubject(/^Réunion/).subject, 'Réunion: café à 10h');
    assert.equal(bySubject(/Build logs/).hasAttachment, true);
    assert.equal(bySubject(/Crash when opening/).hasAttachment, false);
  });

  it('reads a plain-text message as text', async () => {
    const { content } = await session.readMessage('INBOX', bySubject(/Crash when opening/).uid);
    assert.equal(content.html, undefined);
    assert.match(content.text ?? '', /https?:\/\//);
    assert.equal(content.from[0]?.address !== undefined, true);
  });

  it('hands the HTML alternative to the view unsanitised (the webview sanitises it)', async () => {
    const { content } = await session.readMessage('INBOX', bySubject(/Weekly digest/).uid);
    assert.match(content.html ?? '', /tracker\.example\.com/);
    assert.equal(content.text, undefined);
  });

  it('decodes a Latin-1 quoted-printable body', async () => {
    const { content } = await session.readMessage('INBOX', bySubject(/^Réunion/).uid);
    assert.match(`${content.text ?? ''}${content.html ?? ''}`, /café/);
  });

  it('fetches only the parts it shows: attachments are listed, inline images resolved', async () => {
    const uid = bySubject(/Build logs/).uid;
    const { content, inlineImages } = await session.readMessage('INBOX', uid);
    const names = content.attachments.map((a) => a.filename);
    assert.ok(names.includes('report.pdf'), `attachments: ${names}`);
    assert.match(inlineImages['status-badge@build.example.com'] ?? '', /^data:image\/png;base64,/);
  });

  it('downloads an attachment decoded, byte for byte as the full parse gives it', async () => {
    const uid = bySubject(/Build logs/).uid;
    const { content } = await session.readMessage('INBOX', uid);
    const index = content.attachments.findIndex((a) => a.filename === 'report.pdf');
    const downloaded = await session.downloadAttachment('INBOX', uid, index);
    const whole = await parseMessageForDisplay(fixture('multipart-attachment.eml'), { uid, folder: 'INBOX' });
    const wholeIndex = whole.content.attachments.findIndex((a) => a.filename === 'report.pdf');
    const expected = await extractAttachment(fixture('multipart-attachment.eml'), wholeIndex);
    assert.ok(expected, 'the full parse has no report.pdf');
    assert.equal(downloaded.filename, 'report.pdf');
    assert.equal(Buffer.from(downloaded.content).subarray(0, 4).toString('latin1'), '%PDF');
    assert.ok(Buffer.from(downloaded.content).equals(Buffer.from(expected.content)), 'downloaded PDF differs from the full parse');
  });

  it('shows a malformed message instead of failing', async () => {
    const { content } = await session.readMessage('INBOX', bySubject(/Malformed/).uid);
    assert.ok((content.text ?? content.html ?? '').length > 0);
  });

  it('says plainly when the message was deleted by another client', async () => {
    await assert.rejects(session.readMessage('INBOX', 999_999), /no longer on the server/);
  });
});
