/**
 * A NUL in a header (an encoded word such as `=?utf-8?Q?before=00after?=`) or in a body keeps the
 * whole value through the mirror: shown as U+FFFD on the first page and stored the same, so "Load
 * older", a restart and offline reading show what the first page showed, not the text up to the NUL
 * (node-sqlite3-wasm ends a bound string at its first NUL). Against Dovecot.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AccountSession } from '../../src/core/account/accountSession';
import { MailCache } from '../../src/core/cache/mailCache';
import { silentLog } from '../../src/core/imap/log';
import type { MessageSummary } from '../../src/core/model/types';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { aliceSession } from '../support/session';
import { until } from '../support/waitFor';

const R = '\uFFFD';

function messageWithNuls(n: number): string {
  return [
    `From: =?utf-8?Q?Dana=00Reyes?= <dana@example.org>`,
    `To: =?utf-8?Q?Alice=00Liddell?= <alice@example.com>`,
    `Cc: =?utf-8?Q?Carol=00King?= <carol@example.com>`,
    `Subject: =?utf-8?Q?before=00after_${n}?=`,
    `Date: Wed, 14 Jan 2026 10:0${n}:00 +0000`,
    `Message-ID: <nul-${n}@example.org>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    `first=00second ${n}`,
    '',
  ].join('\r\n');
}

/** What a row shows: the fields that went through the mirror as text. */
function shown(m: MessageSummary): string {
  return JSON.stringify([m.subject, m.from?.name, m.to.map((a) => a.name), m.cc.map((a) => a.name), m.preview]);
}

describe('a NUL in a header or a body', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let dir: string;
  let session: AccountSession | undefined;
  let cache: MailCache | undefined;

  before(async () => {
    server = await startDovecot();
    for (let n = 1; n <= 4; n++) await server.deliver('alice', 'INBOX', messageWithNuls(n));
    await server.deliver('alice', 'INBOX', simpleMessage('Plain'));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-nul-'));
  });
  afterEach(() => {
    session?.dispose();
    cache?.close();
    session = undefined;
    cache = undefined;
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const file = () => path.join(dir, 'alice.sqlite');
  const open = (options: { fillChunk?: number } = {}) => {
    cache = new MailCache(file(), { log: silentLog, maxBodyBytes: 1_000_000 });
    session = aliceSession(server, { cache, pageSize: 2, ...options });
    return session;
  };

  it('shows the same text on the first page, after "Load older", after a restart and offline', async () => {
    const first = open({ fillChunk: 0 });
    await first.connect();
    const page = await first.openFolder('INBOX');
    const newest = page.messages.find((m) => m.subject.startsWith('before'))!;
    assert.equal(newest.subject, `before${R}after 4`);
    assert.equal(newest.from?.name, `Dana${R}Reyes`);
    assert.deepEqual(newest.to.map((a) => a.name), [`Alice${R}Liddell`]);
    assert.deepEqual(newest.cc.map((a) => a.name), [`Carol${R}King`]);
    // The first page as the mirror stores it, once stored.
    await until(() => cache!.uids('INBOX').length >= 2, 5_000, 'the first page stored');
    const stored = cache!.message('INBOX', newest.uid)!;
    assert.equal(shown({ ...stored, preview: undefined }), shown({ ...newest, preview: undefined }));
    // Previews (RFC 8970) of the body (Dovecot leaves the NUL out of them), and the body itself, as read.
    await until(() => first.loadedMessages('INBOX')!.messages.every((m) => m.preview), 5_000, 'the previews');
    const withPreview = first.loadedMessages('INBOX')!.messages.find((m) => m.uid === newest.uid)!;
    assert.match(withPreview.preview ?? '', /second 4/);
    const read = await first.readMessage('INBOX', newest.uid);
    const body = read.content.text ?? '';
    assert.match(body, /first.second 4/);
    // "Load older" from the server, stored as it is shown.
    const older = await first.loadOlder('INBOX');
    const loaded = older.messages.filter((m) => m.subject.startsWith('before'));
    assert.deepEqual(loaded.map((m) => m.subject), [4, 3, 2].map((n) => `before${R}after ${n}`));
    const beforeRestart = first.loadedMessages('INBOX')!.messages.map(shown);
    first.dispose();
    cache!.close();

    // A restart, offline: the window and the kept body come from the mirror alone.
    cache = new MailCache(file(), { log: silentLog, maxBodyBytes: 1_000_000 });
    session = aliceSession({ ...server, port: 1 }, { cache, pageSize: 2, backoff: { initial: 60_000, max: 60_000 } });
    const page2 = await session.openFolder('INBOX');
    assert.equal(page2.messages.map(shown).join('\n'), beforeRestart.slice(0, 2).join('\n'));
    const again = await session.loadOlder('INBOX');
    assert.equal(again.messages.map(shown).join('\n'), beforeRestart.join('\n'));
    const offline = await session.readMessage('INBOX', newest.uid);
    assert.equal(offline.content.text, body, 'the kept body, whole');
  });
});
