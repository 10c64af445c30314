/**
 * The command connection's selection: a sync right after the SELECT that granted its lock has
 * nothing to ask (the SELECT's answer is a round trip old), while a folder that stayed selected is
 * asked with a NOOP what changed (RFC 3501 6.1.2) before its counts are trusted.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MailCache } from '../../src/core/cache/mailCache';
import { silentLog } from '../../src/core/imap/log';
import type { MailLog } from '../../src/core/imap/log';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { aliceSession } from '../support/session';

describe('the folder selected on the command connection', function () {
  this.timeout(30_000);
  let server: DovecotServer;

  before(async () => {
    server = await startDovecot();
    for (const folder of ['Reports', 'Other']) await server.createFolder('alice', folder);
    for (let i = 1; i <= 3; i++) await server.deliver('alice', 'Reports', `Subject: report ${i}\r\n\r\nbody\r\n`);
  });
  after(async () => {
    await server?.stop();
  });

  it('is asked nothing right after its SELECT, and asked with a NOOP once it stayed selected', async () => {
    const sent: string[] = [];
    // The command connection's commands as the log shows them (the watcher's go on its own connection).
    const log: MailLog = { trace: (m) => void (/\bC: /.test(m) && !/\[watch\]/.test(m) && sent.push(m)), debug() {}, info() {}, warn() {}, error() {} };
    const session = aliceSession(server, { log, fillChunk: 0 });
    try {
      await session.connect();
      sent.length = 0;
      await session.openFolder('Reports');
      const afterSelect = sent.slice(sent.findIndex((m) => /SELECT "?Reports"?/.test(m)));
      assert.ok(afterSelect.length > 1, `the folder was selected and fetched:\n${sent.join('\n')}`);
      assert.match(afterSelect[1], /FETCH/, `the FETCH follows the SELECT at once:\n${afterSelect.join('\n')}`);
      sent.length = 0;
      await session.catchUpFolder('Reports');
      const noop = sent.findIndex((m) => /\bNOOP\b/.test(m));
      // The sync's FETCH of flags (previews of the page may be fetched meanwhile: not the sync's).
      const fetch = sent.findIndex((m) => /FETCH .*\(UID FLAGS/.test(m));
      assert.ok(noop >= 0 && fetch > noop, `a NOOP first for a folder that stayed selected:\n${sent.join('\n')}`);
    } finally {
      session.dispose();
    }
  });

  it('shows a first page exactly as the mirror holds it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-first-page-'));
    const cache = new MailCache(path.join(dir, 'mirror.sqlite'), { log: silentLog, maxBodyBytes: 0 });
    const session = aliceSession(server, { cache, fillChunk: 0 });
    try {
      await session.connect();
      const page = await session.openFolder('Reports');
      assert.equal(page.messages.length, 3);
      // The page goes to the tree first; it is written to the mirror on the next turn.
      await new Promise((resolve) => setImmediate(resolve));
      // What a restart would show: the same window read from the store.
      const stored = cache.window('Reports', 1);
      const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
      assert.deepEqual(plain(page.messages), plain(stored));
    } finally {
      session.dispose();
      cache.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stores a first page shown, even when the session goes at once', async () => {
    const cache = new MailCache(MailCache.IN_MEMORY, { log: silentLog, maxBodyBytes: 0 });
    const session = aliceSession(server, { cache, fillChunk: 0 });
    try {
      await session.connect();
      const page = await session.openFolder('Reports');
      session.dispose();
      assert.deepEqual(
        cache.uids('Reports'),
        page.messages.map((m) => m.uid).sort((a, b) => a - b),
      );
    } finally {
      session.dispose();
      cache.close();
    }
  });
});
