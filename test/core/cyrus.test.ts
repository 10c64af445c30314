/**
 * The core against a real Cyrus IMAP 3.6, the server Fastmail runs: every folder under `INBOX.`
 * with `.` as the delimiter, special-use attributes on autocreated folders, no NOTIFY.
 * Live changes and reconnection on Cyrus are in cyrusLive.test.ts.
 */
import * as assert from 'node:assert/strict';
import { AccountSession } from '../../src/core/account/accountSession';
import { MailError } from '../../src/core/imap/errors';
import { flattenFolders } from '../../src/core/model/folders';
import { silentLog } from '../../src/core/imap/log';
import type { AccountConfig, FolderInfo, MailErrorInfo } from '../../src/core/model/types';
import { startCyrus, type CyrusServer } from '../support/cyrus';
import { fixture, simpleMessage } from '../support/fixtures';
import { flagsOnServer } from '../support/otherClient';
import { aliceSession } from '../support/session';

/** A multipart/mixed whose first part is the text (the shape most mail with an attachment has). */
function textWithAttachment(): string {
  return [
    'From: Dana Reyes <dana.reyes@example.org>',
    'To: alice@example.com',
    'Subject: Minutes and slides',
    'Date: Wed, 14 Jan 2026 10:00:00 +0100',
    'Message-ID: <minutes-0114@example.org>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="minutes-b1"',
    '',
    '--minutes-b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Minutes of the meeting: caf=C3=A9 at ten, slides attached.',
    '',
    '--minutes-b1',
    'Content-Type: application/pdf; name="slides.pdf"',
    'Content-Disposition: attachment; filename="slides.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('%PDF-1.4\n%%EOF\n').toString('base64'),
    '',
    '--minutes-b1--',
    '',
  ].join('\r\n');
}

describe('Cyrus IMAP: logging in', function () {
  this.timeout(30_000);
  let server: CyrusServer;
  const account = (): AccountConfig => ({ id: 'c', name: 'Cyrus', host: server.host, port: server.port, security: 'none', user: 'alice' });

  before(async () => {
    server = await startCyrus();
  });
  after(async () => {
    await server?.stop();
  });

  it('logs in with the right password', async () => {
    await AccountSession.verify(account(), 'secret', silentLog);
  });

  it('classifies a wrong password as wrong credentials', async () => {
    let info: MailErrorInfo | undefined;
    try {
      await AccountSession.verify(account(), 'not-the-password', silentLog);
    } catch (err) {
      assert.ok(err instanceof MailError, `expected a MailError, got ${err}`);
      info = err.info;
    }
    assert.ok(info, 'the login was expected to fail');
    assert.equal(info.code, 'auth');
    assert.ok(!info.message.includes('not-the-password'), 'the password never appears in the message');
  });
});

describe('Cyrus IMAP: folders, pages and reading', function () {
  this.timeout(60_000);
  let server: CyrusServer;
  let session: AccountSession;
  const BIG = 'INBOX.Big';
  const BIG_SIZE = 60;

  before(async () => {
    server = await startCyrus();
    for (const folder of ['INBOX.Lists', 'INBOX.Lists.Réunions', 'INBOX.Büro', BIG]) {
      await server.createFolder('alice', folder);
    }
    for (let i = 1; i <= BIG_SIZE; i++) {
      await server.deliver('alice', BIG, simpleMessage(`Message ${i}`, { date: new Date(Date.UTC(2026, 0, 1, 0, i)) }), i % 3 === 0 ? ['\\Seen'] : []);
    }
    await server.deliver('alice', 'INBOX', fixture('plain-text.eml'));
    await server.deliver('alice', 'INBOX', fixture('multipart-attachment.eml'));
    await server.deliver('alice', 'INBOX', textWithAttachment());
    await server.deliver('alice', 'INBOX.Büro', simpleMessage('Quartalsbericht', { body: 'Grüße aus dem Büro' }));
    session = aliceSession(server);
    await session.connect();
    // A connect waits for the top level only; these tests look deeper.
    await session.wholeFolderTree();
  });
  after(async () => {
    session?.dispose();
    await server?.stop();
  });

  const folder = (path: string): FolderInfo => {
    const found = flattenFolders(session.folders).find((f) => f.path === path);
    assert.ok(found, `no folder ${path} in ${flattenFolders(session.folders).map((f) => f.path).join(', ')}`);
    return found;
  };

  it('puts every folder under Inbox, nested by the "." delimiter', () => {
    assert.deepEqual(session.folders.map((f) => f.path), ['INBOX']);
    const inbox = session.folders[0];
    assert.equal(inbox.name, 'Inbox');
    assert.equal(inbox.delimiter, '.');
    const lists = folder('INBOX.Lists');
    assert.equal(lists.name, 'Lists');
    assert.deepEqual(lists.children.map((c) => c.path), ['INBOX.Lists.Réunions']);
    assert.ok(inbox.children.includes(lists), 'Lists is a child of Inbox');
  });

  it('decodes non-ASCII folder names (modified UTF-7 on the wire)', () => {
    assert.equal(folder('INBOX.Büro').name, 'Büro');
    assert.equal(folder('INBOX.Lists.Réunions').name, 'Réunions');
  });

  it('recognises the special folders by their SPECIAL-USE attributes and orders them first', () => {
    const children = session.folders[0].children;
    assert.deepEqual(
      children.map((c) => [c.name, c.specialUse]),
      [
        ['Drafts', 'drafts'],
        ['Sent', 'sent'],
        ['Archive', 'archive'],
        ['Junk', 'junk'],
        ['Trash', 'trash'],
        ['Big', undefined],
        ['Büro', undefined],
        ['Lists', undefined],
      ],
    );
    assert.equal(session.folders[0].specialUse, 'inbox');
  });

  it('knows every folder\'s unread and total counts', () => {
    const seen = Math.floor(BIG_SIZE / 3);
    assert.deepEqual(session.countsOf(BIG), { path: BIG, messages: BIG_SIZE, unseen: BIG_SIZE - seen });
    assert.deepEqual(session.countsOf('INBOX'), { path: 'INBOX', messages: 3, unseen: 3 });
    assert.deepEqual(session.countsOf('INBOX.Büro'), { path: 'INBOX.Büro', messages: 1, unseen: 1 });
    assert.deepEqual(session.countsOf('INBOX.Sent'), { path: 'INBOX.Sent', messages: 0, unseen: 0 });
  });

  it('opens a folder newest first and loads older messages until none are left', async () => {
    const first = await session.openFolder(BIG);
    assert.equal(first.messages.length, 50);
    assert.equal(first.messages[0].subject, `Message ${BIG_SIZE}`);
    assert.equal(first.messages[49].subject, `Message ${BIG_SIZE - 49}`);
    assert.equal(first.hasOlder, true);
    assert.equal(first.total, BIG_SIZE);

    const second = await session.loadOlder(BIG);
    assert.equal(second.messages.length, BIG_SIZE);
    assert.equal(second.messages[BIG_SIZE - 1].subject, 'Message 1');
    assert.equal(second.hasOlder, false);
    const uids = second.messages.map((m) => m.uid);
    assert.deepEqual(uids, [...uids].sort((a, b) => b - a));
    assert.equal(new Set(uids).size, BIG_SIZE, 'no message twice');
  });

  it('opens a folder with a non-ASCII name and reads its message', async () => {
    const page = await session.openFolder('INBOX.Büro');
    assert.deepEqual(page.messages.map((m) => m.subject), ['Quartalsbericht']);
    const { content } = await session.readMessage('INBOX.Büro', page.messages[0].uid);
    assert.match(content.text ?? '', /Grüße aus dem Büro/);
  });

  describe('reading', () => {
    const inboxMessage = async (subject: RegExp) => {
      const page = await session.openFolder('INBOX');
      const found = page.messages.find((m) => subject.test(m.subject));
      assert.ok(found, `no message matching ${subject} in ${page.messages.map((m) => m.subject).join(' | ')}`);
      return found;
    };

    it('reads a plain-text message as text', async () => {
      const { content } = await session.readMessage('INBOX', (await inboxMessage(/Crash when opening/)).uid);
      assert.equal(content.html, undefined);
      assert.match(content.text ?? '', /crashes as soon as I open a workspace/);
      assert.equal(content.from[0]?.address, 'dana.reyes@example.org');
    });

    it('reads a multipart message: the HTML alternative, its inline image and the attachment list', async () => {
      const { content, inlineImages } = await session.readMessage('INBOX', (await inboxMessage(/Build logs/)).uid);
      assert.match(content.html ?? '', /Build <b>#9821<\/b>/);
      assert.deepEqual(content.attachments.map((a) => a.filename).filter((n) => n === 'report.pdf'), ['report.pdf']);
      assert.match(inlineImages['status-badge@build.example.com'] ?? '', /^data:image\/png;base64,/);
    });

    it('shows the text of a multipart/mixed message whose first part is the text', async () => {
      const { content } = await session.readMessage('INBOX', (await inboxMessage(/Minutes and slides/)).uid);
      assert.match(`${content.text ?? ''}${content.html ?? ''}`, /Minutes of the meeting: café at ten/);
      assert.deepEqual(content.attachments.map((a) => a.filename), ['slides.pdf']);
    });

    it('downloads the attachment of a multipart/mixed message decoded', async () => {
      const uid = (await inboxMessage(/Minutes and slides/)).uid;
      const { content } = await session.readMessage('INBOX', uid);
      const index = content.attachments.findIndex((a) => a.filename === 'slides.pdf');
      assert.ok(index >= 0, `attachments: ${content.attachments.map((a) => a.filename)}`);
      const downloaded = await session.downloadAttachment('INBOX', uid, index);
      assert.equal(Buffer.from(downloaded.content).toString('latin1'), '%PDF-1.4\n%%EOF\n');
    });
  });

  it('sets and clears \\Seen and \\Flagged on the server', async () => {
    const uid = (await session.openFolder('INBOX')).messages.find((m) => m.subject === 'Crash when opening large workspace')!.uid;
    await session.setFlag('INBOX', uid, '\\Seen', true);
    await session.setFlag('INBOX', uid, '\\Flagged', true);
    assert.deepEqual(await flagsOnServer(server, 'INBOX', uid), ['\\Flagged', '\\Seen']);
    await session.catchUpFolder('INBOX');
    const shown = session.loadedMessages('INBOX')!.messages.find((m) => m.uid === uid)!;
    assert.equal(shown.flags.seen, true);
    assert.equal(shown.flags.flagged, true);

    await session.setFlag('INBOX', uid, '\\Seen', false);
    await session.setFlag('INBOX', uid, '\\Flagged', false);
    assert.deepEqual(await flagsOnServer(server, 'INBOX', uid), []);
    await session.catchUpFolder('INBOX');
    const cleared = session.loadedMessages('INBOX')!.messages.find((m) => m.uid === uid)!;
    assert.equal(cleared.flags.seen, false);
    assert.equal(cleared.flags.flagged, false);
  });
});
