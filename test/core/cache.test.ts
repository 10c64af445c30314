/**
 * The mirror's SQLite store on its own (no server): what goes in comes out exactly, changes are
 * all-or-nothing, bodies stay within their budget, and a file that cannot be used is set aside and
 * rebuilt instead of crashing or showing a wrong tree.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { Database } from 'node-sqlite3-wasm';
import { MailCache } from '../../src/core/cache/mailCache';
import type { CachedMessage } from '../../src/core/cache/rows';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/core/cache/schema';
import type { MailLog } from '../../src/core/imap/log';

function message(uid: number, over: Partial<CachedMessage> = {}): CachedMessage {
  return {
    uid,
    uidValidity: '7',
    folder: 'INBOX',
    subject: `Message ${uid}`,
    from: { name: 'Zoë Ä', address: `z${uid}@example.com` },
    to: [{ address: 'me@example.com' }],
    cc: [],
    date: new Date(Date.UTC(2026, 0, 1, 0, 0, uid)).toISOString(),
    flags: { seen: uid % 2 === 0, flagged: uid % 3 === 0, answered: false, deleted: false, draft: false },
    hasAttachment: uid % 5 === 0,
    size: 1000 + uid,
    messageId: `<${uid}@example.com>`,
    ...over,
  };
}

/** The file as SQLite itself opens it: a mirror file keeps a write-ahead log, which needs EXCLUSIVE locking here. */
function openAsSqlite(file: string): Database {
  const db = new Database(file);
  db.exec('PRAGMA locking_mode = EXCLUSIVE');
  return db;
}

describe('The mirror store', () => {
  let dir: string;
  let file: string;
  let cache: MailCache | undefined;
  const lines: string[] = [];
  const log: MailLog = { trace() {}, debug() {}, info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
  const open = (maxBodyBytes = 1_000_000) => (cache = new MailCache(file, { log, maxBodyBytes }));

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-cache-'));
    file = path.join(dir, 'account.sqlite');
    lines.length = 0;
  });
  afterEach(() => {
    cache?.close();
    cache = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives back every field of a summary as it was stored, after a restart', () => {
    const full = message(42, {
      keywords: ['$Forwarded', 'work'],
      modseq: '18446744073709551',
      internalDate: '2026-01-02T03:04:05.000Z',
      inReplyTo: '<41@example.com>',
      references: ['<40@example.com>', '<41@example.com>'],
      listId: '<vscode.microsoft.github.com>',
      githubReason: 'review_requested',
      preview: 'First line…',
      cc: [{ name: 'Ann', address: 'ann@example.com' }],
    });
    open().saveFolder({ path: 'INBOX', uidValidity: '7' });
    cache!.putMessages('INBOX', [full]);
    cache!.close();
    open();
    assert.deepEqual(cache!.message('INBOX', 42), full);
  });

  it('pages newest first, says how many older remain, and counts unread from the mirror', () => {
    open().saveFolder({ path: 'INBOX', uidValidity: '7' });
    cache!.putMessages('INBOX', Array.from({ length: 120 }, (_, i) => message(i + 1)));
    const first = cache!.page('INBOX', 50);
    assert.deepEqual(first.map((m) => m.uid), Array.from({ length: 50 }, (_, i) => 120 - i));
    const oldest = first[first.length - 1].uid;
    assert.equal(cache!.uids('INBOX', 1, oldest - 1).length, 70);
    assert.deepEqual(cache!.page('INBOX', 50, oldest).map((m) => m.uid)[0], 70);
    // Odd UIDs are unread.
    assert.deepEqual(cache!.counts('INBOX'), { messages: 120, unseen: 60 });
    assert.equal(cache!.highestUid('INBOX'), 120);
  });

  it('applies flag changes and expunges, and removes only what a search no longer finds', () => {
    open().saveFolder({ path: 'INBOX', uidValidity: '7' });
    cache!.putMessages('INBOX', [1, 2, 3, 4, 5].map((uid) => message(uid)));
    const unread = { seen: false, flagged: false, answered: false, deleted: false, draft: false };
    assert.deepEqual(cache!.setFlags('INBOX', [{ uid: 2, flags: unread, modseq: '9' }, { uid: 99, flags: unread }]), [2]);
    assert.equal(cache!.message('INBOX', 2)?.flags.seen, false);
    assert.equal(cache!.message('INBOX', 2)?.modseq, '9');
    assert.equal(cache!.removeMessages('INBOX', [3]), 1);
    const gone = cache!.missing('INBOX', 2, 5, new Set([2, 5]));
    assert.deepEqual(gone, [4]);
    cache!.removeMessages('INBOX', gone);
    assert.deepEqual(cache!.uids('INBOX'), [1, 2, 5]);
  });

  it('keeps its counts exact through every kind of write, and after a write rolled back', () => {
    const recount = () => {
      const uids = cache!.uids('INBOX');
      return { messages: uids.length, unseen: uids.filter((uid) => !cache!.message('INBOX', uid)!.flags.seen).length };
    };
    const check = (what: string) => assert.deepEqual(cache!.counts('INBOX'), recount(), what);
    open().saveFolder({ path: 'INBOX', uidValidity: '7' });
    cache!.putMessages('INBOX', [1, 2, 3, 4, 5, 6].map((uid) => message(uid)));
    check('stored');
    cache!.putMessages('INBOX', [message(2, { flags: { ...message(2).flags, seen: false } }), message(7)]);
    check('one replaced with other flags, one new');
    cache!.setFlags('INBOX', [{ uid: 1, flags: { ...message(1).flags, seen: true } }, { uid: 3, flags: { ...message(3).flags, seen: true } }, { uid: 4, flags: { ...message(4).flags, seen: false } }, { uid: 99, flags: message(1).flags }]);
    check('flags changed, one of a message not stored');
    cache!.removeMessages('INBOX', [3, 4, 42]);
    check('removed, one not stored');
    assert.throws(() =>
      cache!.transaction(() => {
        cache!.removeMessages('INBOX', [5]);
        cache!.putMessages('INBOX', [message(8)]);
        throw new Error('cut short');
      }),
    );
    check('a transaction rolled back');
    cache!.resetFolder('INBOX', '8');
    check('reset');
  });

  it('keeps its counts with the folder for the next session, and corrects counts that went wrong', () => {
    open().saveFolder({ path: 'INBOX', uidValidity: '7' });
    cache!.putMessages('INBOX', [1, 2, 3, 4].map((uid) => message(uid)));
    assert.deepEqual(cache!.counts('INBOX'), { messages: 4, unseen: 2 });
    cache!.putMessages('INBOX', [message(5)]);
    cache!.removeMessages('INBOX', [2]);
    cache!.close();
    open();
    assert.deepEqual(cache!.counts('INBOX'), { messages: 4, unseen: 3 }, 'as they were at the end of the last session');
    cache!.close();
    // A count saved wrong (a write that went past the bookkeeping) is found and corrected.
    const db = openAsSqlite(file);
    db.exec("UPDATE folder SET stored = 999 WHERE path = 'INBOX'");
    db.close();
    open();
    assert.equal(cache!.counts('INBOX').messages, 999, 'the saved count is trusted on open');
    cache!.verifyCounts('INBOX');
    assert.deepEqual(cache!.counts('INBOX'), { messages: 4, unseen: 3 });
    assert.ok(lines.some((l) => /counts kept for INBOX/.test(l)), lines.join('\n'));
  });

  it('stores a change and its marker together or not at all', () => {
    open().saveFolder({ path: 'INBOX', uidValidity: '7', highestModseq: '10' });
    cache!.putMessages('INBOX', [message(1)]);
    assert.throws(() =>
      cache!.transaction(() => {
        cache!.setFlags('INBOX', [{ uid: 1, flags: { ...message(1).flags, flagged: true } }]);
        cache!.saveFolder({ path: 'INBOX', highestModseq: '11' });
        throw new Error('the link dropped');
      }),
    );
    assert.equal(cache!.folder('INBOX')?.highestModseq, '10');
    assert.equal(cache!.message('INBOX', 1)?.flags.flagged, false);
  });

  it('keeps the newer flags when a report with an older MODSEQ comes after them (RFC 7162 3.1.4)', () => {
    open().saveFolder({ path: 'INBOX', uidValidity: '7' });
    cache!.putMessages('INBOX', [{ ...message(1), modseq: '10' }]);
    const read = { seen: true, flagged: true, answered: false, deleted: false, draft: false };
    const unread = { seen: false, flagged: false, answered: false, deleted: false, draft: false };
    assert.deepEqual(cache!.setFlags('INBOX', [{ uid: 1, flags: read, modseq: '12' }]), [1]);
    // A late report, from before the change just stored: refused, and nothing changes.
    assert.deepEqual(cache!.setFlags('INBOX', [{ uid: 1, flags: unread, modseq: '11' }]), []);
    assert.deepEqual(cache!.message('INBOX', 1)?.flags, read);
    assert.equal(cache!.message('INBOX', 1)?.modseq, '12');
    assert.equal(cache!.counts('INBOX').unseen, 0);
  });

  it('drops a folder\'s messages and bodies when its UIDVALIDITY changes', () => {
    open().saveFolder({ path: 'INBOX', uidValidity: '7', uidNext: 3, highestModseq: '5', syncedFrom: 1, mirrored: true });
    cache!.putMessages('INBOX', [message(1), message(2)]);
    cache!.putBody('INBOX', 1, { text: 'hello' });
    cache!.resetFolder('INBOX', '8');
    assert.deepEqual(cache!.uids('INBOX'), []);
    assert.equal(cache!.body('INBOX', 1), undefined);
    const folder = cache!.folder('INBOX')!;
    assert.equal(folder.uidValidity, '8');
    assert.equal(folder.highestModseq, undefined);
    assert.equal(folder.syncedFrom, undefined);
    assert.equal(folder.mirrored, true, 'still mirrored: sync starts again');
  });

  it('keeps read bodies within the budget, least recently read first, and none with a budget of 0', () => {
    const body = (n: number) => ({ text: String(n).repeat(90) }); // about 100 bytes as JSON
    open(350).saveFolder({ path: 'INBOX' });
    cache!.putBody('INBOX', 1, body(1));
    cache!.putBody('INBOX', 2, body(2));
    cache!.putBody('INBOX', 3, body(3));
    assert.deepEqual(cache!.body('INBOX', 1), body(1)); // read again: now the most recent
    cache!.putBody('INBOX', 4, body(4));
    assert.equal(cache!.body('INBOX', 2), undefined, 'the least recently read went');
    assert.ok(cache!.body('INBOX', 1) && cache!.body('INBOX', 3) && cache!.body('INBOX', 4));
    assert.ok(cache!.bodyBytes() <= 350);
    cache!.setMaxBodyBytes(0);
    assert.equal(cache!.bodyBytes(), 0);
    cache!.putBody('INBOX', 5, body(5));
    assert.equal(cache!.body('INBOX', 5), undefined);
  });

  it('empties everything on Clear Cache', () => {
    open().saveFolder({ path: 'INBOX', uidValidity: '7' });
    cache!.putMessages('INBOX', [message(1)]);
    cache!.putBody('INBOX', 1, { text: 'x' });
    cache!.clear();
    assert.deepEqual(cache!.folders(), []);
    assert.equal(cache!.bodyBytes(), 0);
  });

  it('sets a damaged file aside, says so once in the log, and starts empty', () => {
    fs.writeFileSync(file, Buffer.alloc(8192, 0x5a));
    open();
    assert.equal(cache!.setAside, 'is damaged');
    assert.deepEqual(cache!.folders(), []);
    const aside = fs.readdirSync(dir).filter((f) => f.endsWith('.aside'));
    assert.equal(aside.length, 1, 'the damaged file is kept beside');
    assert.equal(lines.filter((l) => /set aside/.test(l)).length, 1);
    cache!.saveFolder({ path: 'INBOX' });
    assert.equal(cache!.folders().length, 1);
  });

  it('sets aside a file written by a newer Mailroom instead of downgrading it', () => {
    const newer = new Database(file);
    newer.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 5}; CREATE TABLE future (x)`);
    newer.close();
    open();
    assert.match(cache!.setAside ?? '', /newer Mailroom/);
    assert.deepEqual(cache!.folders(), []);
  });

  it('migrates a new file to the current schema version', () => {
    open().close();
    const db = openAsSqlite(file);
    assert.equal((db.get('PRAGMA user_version') as { user_version: number }).user_version, SCHEMA_VERSION);
    db.close();
  });

  it('migrates a database of schema 1 to the current one, keeping what it held', () => {
    const old = new Database(file);
    old.exec(MIGRATIONS[0]);
    old.exec("PRAGMA user_version = 1; INSERT INTO folder (path, uid_validity) VALUES ('INBOX', '7');");
    old.close();
    open();
    assert.equal(cache!.setAside, undefined);
    assert.equal(cache!.folder('INBOX')?.uidValidity, '7', 'kept through the migration');
    cache!.setMeta('folders', [{ path: 'INBOX' }]);
    assert.deepEqual(cache!.meta('folders'), [{ path: 'INBOX' }]);
  });

  it('clears a lock left behind by a process of an older version that ended long ago', () => {
    open().saveFolder({ path: 'INBOX' });
    cache!.close();
    const lock = `${file}.lock`;
    fs.mkdirSync(lock);
    const old = new Date(Date.now() - 10 * 60_000);
    fs.utimesSync(lock, old, old);
    open();
    assert.equal(cache!.setAside, undefined);
    assert.equal(cache!.file, file);
    assert.equal(cache!.folders().length, 1, 'the cache was kept');
  });

  it('takes over the file of a process that ended without letting it go', () => {
    open().saveFolder({ path: 'INBOX' });
    cache!.close();
    // The lock as a killed window leaves it: its folder, with the owner file naming a process gone.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.mkdirSync(`${file}.lock`);
    fs.writeFileSync(path.join(`${file}.lock`, 'owner'), JSON.stringify({ pid: Number(gone.stdout), host: os.hostname() }));
    open();
    assert.equal(cache!.file, file, 'the same file, not a copy of its own');
    assert.equal(cache!.folders().length, 1, 'the cache was kept');
    assert.ok(lines.some((l) => /took over/.test(l)), lines.join('\n'));
  });

  it('never takes the file of a live process on this machine, however old its lease (a window that slept)', () => {
    open().saveFolder({ path: 'INBOX' });
    cache!.close();
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      fs.mkdirSync(`${file}.lock`);
      const owner = path.join(`${file}.lock`, 'owner');
      fs.writeFileSync(owner, JSON.stringify({ pid: sleeper.pid, host: os.hostname() }));
      const night = new Date(Date.now() - 12 * 3600_000);
      fs.utimesSync(owner, night, night);
      open();
      assert.notEqual(cache!.file, file, 'a file of its own');
      assert.ok(fs.existsSync(owner), 'the other process keeps its lock');
    } finally {
      sleeper.kill();
    }
  });

  it('gives a second window a file of its own while the first holds one, without touching the first', () => {
    const first = open();
    first.saveFolder({ path: 'INBOX', uidValidity: '7' });
    first.putMessages('INBOX', [message(1)]);
    const second = new MailCache(file, { log, maxBodyBytes: 0 });
    try {
      assert.notEqual(second.file, file);
      assert.equal(second.setAside, undefined, 'a held file is not damaged: nothing is set aside');
      assert.deepEqual(second.folders(), [], 'a new copy, synced from the server');
      second.saveFolder({ path: 'Sent' });
      assert.deepEqual(first.folders().map((f) => f.path), ['INBOX'], 'the first window\'s file is untouched');
      assert.deepEqual(first.uids('INBOX'), [1]);
    } finally {
      second.close();
    }
    assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.aside')).length, 0);
    // Once the first lets go, the next window takes its file again, with everything it held.
    first.close();
    open();
    assert.equal(cache!.file, file);
    assert.deepEqual(cache!.uids('INBOX'), [1]);
  });

  it('writes through a write-ahead log and lets the file go whole on close', () => {
    open().saveFolder({ path: 'INBOX' });
    assert.ok(fs.existsSync(`${file}-wal`), 'the log is in use while the file is held');
    cache!.close();
    cache = undefined;
    assert.deepEqual(fs.readdirSync(dir), ['account.sqlite'], 'the log is checkpointed and the lock let go');
  });

  it('deletes on Clear Cache the copies that no window holds', () => {
    const first = open();
    const second = new MailCache(file, { log, maxBodyBytes: 0 });
    second.saveFolder({ path: 'Sent' });
    const secondFile = second.file;
    second.close();
    assert.ok(fs.existsSync(secondFile));
    first.clear();
    assert.ok(!fs.existsSync(secondFile), 'the idle copy is gone');
    assert.ok(fs.existsSync(file), 'the file in use stays, empty');
  });
});
