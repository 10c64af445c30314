/**
 * A mirror file whose header is sound but whose later pages are damaged is our problem, not the
 * server's: it is set aside (kept, renamed `.aside`), one line says so in the log, an empty file takes
 * its place, and the folders are fetched again from the server, while the session keeps working. For a
 * file damaged before it is opened (found by `PRAGMA quick_check` at open, or by the later check of a
 * large file) and for one that goes bad while the session runs (found by the read that meets it).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AccountSession } from '../../src/core/account/accountSession';
import { QUICK_CHECK_AT_OPEN_BYTES } from '../../src/core/cache/cacheDatabase';
import { MailCache } from '../../src/core/cache/mailCache';
import type { CachedMessage } from '../../src/core/cache/rows';
import type { MailLog } from '../../src/core/imap/log';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { aliceSession } from '../support/session';
import { until } from '../support/waitFor';

const PAGE = 4096;

function summaries(count: number): CachedMessage[] {
  const rows: CachedMessage[] = [];
  for (let uid = 1; uid <= count; uid++) {
    rows.push({
      uid,
      uidValidity: '1',
      folder: 'INBOX',
      subject: `[dana-demo/mailroom] Run failed: CI - main (${uid})`,
      from: { name: 'GitHub', address: 'notifications@github.com' },
      to: [{ address: 'alice@example.com' }],
      cc: [],
      flags: { seen: uid % 3 === 0, flagged: false, answered: false, deleted: false, draft: false },
      hasAttachment: false,
      size: 4000,
      messageId: `<run-${uid}@github.com>`,
    });
  }
  return rows;
}

/** Overwrites every page after the first (the header and the schema stay sound). */
function damagePages(file: string): void {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, Buffer.alloc(size - PAGE, 0xab), 0, size - PAGE, PAGE);
  } finally {
    fs.closeSync(fd);
  }
}

describe('a damaged mirror file', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let dir: string;
  let session: AccountSession | undefined;
  let cache: MailCache | undefined;
  let warnings: string[];
  let log: MailLog;

  before(async () => {
    server = await startDovecot();
    for (let i = 1; i <= 3; i++) await server.deliver('alice', 'INBOX', simpleMessage(`Inbox ${i}`));
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-damaged-'));
    warnings = [];
    log = { trace() {}, debug() {}, info() {}, warn: (m) => void warnings.push(m), error: (m) => void warnings.push(m) };
  });
  afterEach(() => {
    session?.dispose();
    session = undefined;
    cache?.close();
    cache = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  after(async () => {
    await server?.stop();
  });

  /** A mirror file holding `count` summaries of INBOX, closed. */
  function mirrorFile(count: number): string {
    const file = path.join(dir, 'alice.sqlite');
    const writing = new MailCache(file, { log, maxBodyBytes: 0 });
    writing.saveFolder({ path: 'INBOX', uidValidity: '1', uidNext: count + 1 });
    writing.putMessages('INBOX', summaries(count));
    writing.close();
    return file;
  }

  const asideFiles = () => fs.readdirSync(dir).filter((name) => name.endsWith('.aside'));

  /** The session opens INBOX from the server and the mirror follows the server, with the damage said once in the log, and not as the server's. */
  async function worksFromTheServer(): Promise<void> {
    session = aliceSession(server, { log, cache });
    await session.connect();
    assert.doesNotThrow(() => session!.isMirrored('INBOX'));
    const page = await session.openFolder('INBOX');
    assert.deepEqual(page.messages.map((m) => m.subject), ['Inbox 3', 'Inbox 2', 'Inbox 1']);
    await until(() => cache!.uids('INBOX').length === 3, 5_000, 'the mirror filled from the server');
    assert.equal(asideFiles().length, 1, 'the damaged file is kept, set aside');
    const said = warnings.filter((line) => /set aside/.test(line));
    assert.equal(said.length, 1, `one line about the damaged file: ${warnings.join(' | ')}`);
    assert.ok(!warnings.some((line) => /127\.0\.0\.1/.test(line) && /malformed/.test(line)), `the server is not blamed: ${warnings.join(' | ')}`);
  }

  it('is found when it is opened, and rebuilt from the server', async () => {
    const file = mirrorFile(3_000);
    assert.ok(fs.statSync(file).size <= QUICK_CHECK_AT_OPEN_BYTES);
    damagePages(file);
    cache = new MailCache(file, { log, maxBodyBytes: 0 });
    assert.match(cache.setAside ?? '', /damaged/);
    assert.deepEqual(cache.folders(), []);
    await worksFromTheServer();
  });

  it('is found by the read that meets it while the session runs, and rebuilt from the server', async () => {
    // Larger than the check at open covers: only a read finds it.
    const file = mirrorFile(45_000);
    assert.ok(fs.statSync(file).size > QUICK_CHECK_AT_OPEN_BYTES);
    cache = new MailCache(file, { log, maxBodyBytes: 0 });
    assert.equal(cache.setAside, undefined);
    damagePages(file);
    await worksFromTheServer();
  });

  it('is found by the later check of a large file, and every open folder is fetched again', async () => {
    const file = mirrorFile(45_000);
    cache = new MailCache(file, { log, maxBodyBytes: 0 });
    session = aliceSession(server, { log, cache });
    await session.connect();
    await session.openFolder('INBOX');
    await until(() => cache!.uids('INBOX').length === 3, 5_000, 'the mirror synced with the server');
    let replaced = 0;
    cache.onDidReplace(() => replaced++);
    damagePages(file);
    cache.checkNow();
    assert.equal(asideFiles().length, 1);
    await until(() => replaced === 1 && cache!.uids('INBOX').length === 3, 5_000, 'INBOX fetched again into the new file');
    assert.deepEqual(session.loadedMessages('INBOX')!.messages.map((m) => m.subject), ['Inbox 3', 'Inbox 2', 'Inbox 1']);
  });
});
