/**
 * The bulk summary reader against imapflow's own parser, on the same messages from a real Dovecot:
 * every fixture, hostile shapes (30 and 1,000 levels of nesting), encoded words, quotes and
 * backslashes in subjects, a subject the server sends as a literal, 8-bit headers. For each, the
 * summary the mirror stores must be the same whichever reader read the line.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImapFlow } from 'imapflow';
import { bulkFetch } from '../../src/core/imap/bulkFetch';
import { EXTRA_HEADERS, SUMMARY_QUERY, toCachedMessage } from '../../src/core/sync/summaries';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { fixture, fixtureNames, repoRoot } from '../support/fixtures';
import { nestedForwards, nestedMultipart } from '../support/hostileMail';

const FOLDER = 'Shapes';

function message(subject: string, headers: string[] = []): string {
  return [`From: "Dana \\"DJ\\" Reyes" <dana@example.org>`, `To: alice@example.com`, `Subject: ${subject}`, ...headers, `Date: Wed, 14 Jan 2026 10:00:00 +0100`, '', 'Body', ''].join('\r\n');
}

describe('the bulk summary reader', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let client: ImapFlow;

  before(async () => {
    server = await startDovecot();
    client = new ImapFlow({ host: '127.0.0.1', port: server.port, secure: false, auth: { user: 'alice', pass: 'secret' }, logger: false, qresync: true });
    client.on('error', () => undefined);
    await client.connect();
    await client.mailboxCreate(FOLDER);
    const mails: (string | Buffer)[] = [
      ...fixtureNames().map((name) => fixture(name)),
      ...fs.readdirSync(path.join(repoRoot(), 'test', 'fixtures', 'parts')).filter((n) => n.endsWith('.eml')).map((n) => fixture(path.join('parts', n))),
      nestedMultipart(30),
      nestedMultipart(1000),
      nestedForwards(30),
      message('=?UTF-8?B?w4lsw6huZSDigJQgcmFwcG9ydA==?= and =?ISO-8859-1?Q?caf=E9?='),
      message('A "quoted" word, a back\\slash and (parentheses) [brackets] {braces}'),
      message(`A subject long enough that Dovecot sends it as a literal ${'x'.repeat(9_000)}`),
      message('References and lists', ['References: <a@x> <b@x>\r\n <c@x>', 'List-ID: "Widgets" <widgets.acme.github.com>', 'X-GitHub-Reason: review_requested']),
      Buffer.from(message('8-bit caf\u00e9 in a header'), 'latin1'),
      message(''),
    ];
    for (const [i, raw] of mails.entries()) await client.append(FOLDER, raw, i % 2 ? ['\\Seen', '$Forwarded'] : []);
    await client.mailboxOpen(FOLDER);
  });
  after(async () => {
    await client?.logout().catch(() => undefined);
    await server?.stop();
  });

  it('stores what imapflow\'s own parser gives, for every message', async () => {
    const bulk = await bulkFetch(client, '1:*', true, { headerFields: EXTRA_HEADERS });
    const slow = await client.fetchAll('1:*', SUMMARY_QUERY, { uid: true });
    assert.equal(bulk.complete, true, 'every line was read');
    assert.equal(bulk.rows.length, slow.length);
    const bySlow = new Map(slow.map((m) => [m.uid, toCachedMessage(m, FOLDER, '1')]));
    for (const row of bulk.rows) {
      assert.deepEqual(toCachedMessage(row, FOLDER, '1'), bySlow.get(row.uid), `UID ${row.uid}`);
    }
    const subjects = bulk.rows.map((r) => toCachedMessage(r, FOLDER, '1').subject);
    assert.ok(subjects.includes('Élène — rapport and café'), 'encoded words decoded');
    assert.ok(subjects.includes('A "quoted" word, a back\\slash and (parentheses) [brackets] {braces}'));
    const grouped = bulk.rows.map((r) => toCachedMessage(r, FOLDER, '1')).find((m) => m.subject === 'References and lists')!;
    assert.deepEqual(grouped.references, ['<a@x>', '<b@x>', '<c@x>']);
    assert.equal(grouped.listId, 'widgets.acme.github.com');
    assert.equal(grouped.githubReason, 'review_requested');
  });

  it('leaves imapflow its other lines: the connection works on after the command', async () => {
    await bulkFetch(client, '1:3', true, { headerFields: EXTRA_HEADERS });
    const status = await client.status('INBOX', { messages: true });
    assert.ok(status && typeof status.messages === 'number');
    const one = await client.fetchOne('1', { uid: true, flags: true }, { uid: true });
    assert.ok(one && one.uid === 1);
  });

  it('fails as a command, not as an empty answer, when the server refuses it', async () => {
    await assert.rejects(bulkFetch(client, '0:x', true, { headerFields: EXTRA_HEADERS }));
  });
});
