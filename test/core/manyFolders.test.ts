/**
 * Accounts with very many folders: a connect waits for the top level of the folder list only, and
 * counts come for the folders asked. Folders are made straight on disk (Maildir++: `.G3.S17` is
 * `G3/S17` under the test server's `/` separator) in groups of 1,000 below the top level, and the
 * server runs without its list index, which would otherwise open every new folder on the first
 * LIST (about 2 ms each, 40 s for 20,000).
 *
 * Measured on this machine (2 cores) with 20,000 folders: LIST "" "*" 0.5 to 0.8 s, LIST "" "%"
 * 0.03 to 0.1 s, LIST-STATUS of every folder 31 s on a server that had not opened them yet; the
 * old connect (LIST-STATUS, then a tree of every folder) took 3.4 s warm. 100,000 folders are five
 * times that: the top level stays the same size, so the connect does not grow.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AccountSession } from '../../src/core/account/accountSession';
import { flattenFolders } from '../../src/core/model/folders';
import { FIRST_FOLDERS } from '../../src/core/sync/folderCounts';
import { COUNTS_BATCH } from '../../src/core/sync/countsRequests';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { startImapProxy } from '../support/imapProxy';
import { until } from '../support/waitFor';
import { simpleMessage } from '../support/fixtures';
import { aliceSession } from '../support/session';

const GROUP = 1_000;
const SMALL = 1_000;
const LARGE = 20_000;

/** Makes `count` folders G<g> and G<g>/S<s>, 1,000 to a group, as Maildir++ directories. */
function makeFolders(server: DovecotServer, count: number): void {
  const home = path.join(server.dir, 'mail', 'alice');
  for (let i = 0; i < count; i++) {
    const group = Math.floor(i / GROUP);
    const sub = i % GROUP;
    // `cur` alone makes a Maildir folder; Dovecot adds `new` and `tmp` when it opens one.
    fs.mkdirSync(path.join(home, sub === 0 ? `.G${group}` : `.G${group}.S${sub}`, 'cur'), { recursive: true });
  }
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'dovecot:dovecot', home]);
}

/**
 * Milliseconds from connect() to online, the best of two (one slow run on a shared machine is
 * noise); the second session stays connected. Each waits for its whole list, so the next connect
 * does not share the server with a LIST still running.
 */
async function timeConnect(server: DovecotServer, sessions: AccountSession[]): Promise<{ ms: number; session: AccountSession }> {
  let best = Infinity;
  let session: AccountSession | undefined;
  for (let run = 0; run < 2; run++) {
    session?.dispose();
    session = aliceSession(server);
    sessions.push(session);
    const started = performance.now();
    await session.connect();
    best = Math.min(best, performance.now() - started);
    await session.wholeFolderTree();
  }
  return { ms: best, session: session! };
}

describe('an account with very many folders', function () {
  this.timeout(120_000);
  const servers: DovecotServer[] = [];
  const sessions: AccountSession[] = [];
  let small: { ms: number; session: AccountSession };
  let large: { ms: number; session: AccountSession };

  before(async () => {
    for (const count of [SMALL, LARGE]) {
      const server = await startDovecot({ listIndex: false });
      servers.push(server);
      // The INBOX exists on disk before the folders are made beside it.
      await server.deliver('alice', 'INBOX', simpleMessage('Hello'));
      makeFolders(server, count);
    }
    await servers[1].deliver('alice', 'G7/S500', simpleMessage('Deep down'));
    small = await timeConnect(servers[0], sessions);
    large = await timeConnect(servers[1], sessions);
  });
  after(async () => {
    for (const session of sessions) session.dispose();
    for (const server of servers) await server.stop();
  });

  it(`is online about as soon with ${LARGE} folders as with ${SMALL}`, () => {
    console.log(`      online after ${large.ms.toFixed(0)} ms with ${LARGE} folders, ${small.ms.toFixed(0)} ms with ${SMALL}`);
    // Waiting for the whole list took 0.5 s more at 20,000 folders (2.5 s at 100,000); counting
    // every folder 31 s. The top level is 26 folders against 7, and Dovecot's NOTIFY set-up walks
    // every folder (0.1 to 0.2 s here): allow that and a busy machine, not the whole list (1.5 s
    // more when the connect waited for it, measured beside the whole suite).
    assert.ok(large.ms < 2 * small.ms + 600, `online after ${large.ms.toFixed(0)} ms with ${LARGE} folders, ${small.ms.toFixed(0)} ms with ${SMALL}`);
  });

  it('shows the top level at once and the whole tree once it has loaded', async () => {
    const top = large.session.folders.map((f) => f.path);
    assert.ok(top.includes('G19') && top.includes('INBOX'), `top level: ${top.join(', ')}`);
    const g7 = large.session.folders.find((f) => f.path === 'G7');
    assert.equal(g7?.hasChildren, true, 'G7 shows that it has subfolders before they are listed');
    const whole = await large.session.wholeFolderTree();
    // INBOX and the five special folders the test server makes, beside the folders made here.
    assert.equal(flattenFolders(whole).length, LARGE + 6);
    assert.equal((await large.session.subfoldersOf('G7')).length, GROUP - 1);
  });

  it('counts the folders asked for, and only those', async () => {
    const asked = Array.from({ length: 120 }, (_, i) => `G7/S${450 + i}`);
    await large.session.requestCounts(asked);
    for (const folder of asked) {
      const expected = folder === 'G7/S500' ? { messages: 1, unseen: 1 } : { messages: 0, unseen: 0 };
      assert.deepEqual(large.session.countsOf(folder), { path: folder, ...expected });
    }
    assert.equal(large.session.countsOf('G7/S300'), undefined, 'a folder nobody looked at was counted');
  });
});

/** The top level's LIST as imapflow writes it (RFC 3501 6.3.8; Dovecot has no namespace prefix). */
const TOP_LEVEL_LIST = / LIST "" "?%"?$/;

/** `promise`, or a failure saying `what` after `ms`. */
async function withinMs<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} (${ms} ms)`)), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('an account with very many folders at the top level', function () {
  this.timeout(120_000);
  const FLAT = 3_000;
  /** LIST responses let through before the proxy holds or cuts the rest: more than the first folders shown. */
  const HELD_AFTER = 1_500;
  let server: DovecotServer;
  let session: AccountSession | undefined;

  before(async () => {
    server = await startDovecot({ listIndex: false });
    await server.deliver('alice', 'INBOX', simpleMessage('Hello'));
    const home = path.join(server.dir, 'mail', 'alice');
    for (let i = 0; i < FLAT; i++) fs.mkdirSync(path.join(home, `.F${i}`, 'cur'), { recursive: true });
    if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'dovecot:dovecot', home]);
  });
  after(async () => {
    session?.dispose();
    await server?.stop();
  });

  it('lists them without counting every one (LIST-STATUS would open each folder), and counts those asked for', async () => {
    session = aliceSession(server);
    const started = performance.now();
    await session.connect();
    const ms = performance.now() - started;
    // The connect goes on once the first FIRST_FOLDERS are in; the rest of the LIST follows.
    await session.wholeFolderTree();
    console.log(`      online after ${ms.toFixed(0)} ms, every folder after ${(performance.now() - started).toFixed(0)} ms with ${FLAT} folders at the top level`);
    assert.equal(session.folders.length, FLAT + 6, 'every folder of the top level, INBOX and the special ones');
    // Counts of the first folders shown are asked behind the listing, not waited for by the connect.
    await until(() => session!.countsOf('INBOX'), 10_000, 'the counts of INBOX');
    const counted = session.folders.filter((f) => session!.countsOf(f.path)).length;
    // The first folders shown are counted twice over at most: those first in the early page (the
    // first FIRST_FOLDERS as Dovecot lists them, sorted), and those first in the whole level sorted.
    assert.ok(counted <= 2 * COUNTS_BATCH + 1, `${counted} folders counted at connect: only the first shown and the watched ones`);
    assert.deepEqual(session.countsOf('INBOX'), { path: 'INBOX', messages: 1, unseen: 1 });
    await session.requestCounts(['F2999']);
    assert.deepEqual(session.countsOf('F2999'), { path: 'F2999', messages: 0, unseen: 0 });
  });
  it('is online with the first folders while the rest of the LIST is still on the wire, and shows the rest when it comes', async () => {
    const transcript: string[] = [];
    const proxy = await startImapProxy(server.port, { transcript });
    const held = proxy.holdAfterWhenClientSends(TOP_LEVEL_LIST, HELD_AFTER);
    const flat = aliceSession({ ...server, port: proxy.port });
    try {
      let changes = 0;
      flat.onDidChangeFolders(() => changes++);
      // The LIST's tagged OK is held back until letGo(): a connect that waits for the whole answer never ends.
      await withinMs(flat.connect(), 20_000, `not online while the LIST was held after ${HELD_AFTER} folders`);
      const letGo = await held;
      assert.equal(flat.connectionState.kind, 'online');
      assert.equal(flat.foldersComplete, false, 'the list is not whole while the rest of the LIST is held');
      const shown = flat.folders.length;
      assert.ok(shown >= FIRST_FOLDERS - 1 && shown <= HELD_AFTER + 1, `${shown} folders shown before the rest of the LIST came`);
      assert.ok(flat.folder('INBOX'), 'INBOX is shown from the start, wherever the server lists it');
      const before = changes;
      letGo();
      const whole = await flat.wholeFolderTree();
      assert.equal(whole.length, FLAT + 6);
      assert.equal(flat.foldersComplete, true);
      assert.ok(changes - before <= 2, `the tree was told of ${changes - before} changes for the rest of one LIST`);
      // Every folder of the level said \HasNoChildren: that level is the whole list, not asked for again.
      assert.deepEqual(transcript.filter((line) => / LIST "" "?\*"?$/.test(line)), []);
    } finally {
      flat.dispose();
      await proxy.stop();
    }
  });

  it('takes a LIST cut midway for an error, never for the list, and keeps the folders it had', async () => {
    const proxy = await startImapProxy(server.port);
    const flat = aliceSession({ ...server, port: proxy.port }, { backoff: { initial: 60, max: 60 } });
    try {
      // Cut before the first folders are in: the connect fails, and no folder list is made of 500 folders.
      const cut = proxy.cutAfterWhenClientSends(TOP_LEVEL_LIST, 500);
      await assert.rejects(flat.connect(), (err: Error) => err.name === 'MailError', 'a LIST cut after 500 folders was taken for the list');
      await cut;
      assert.equal(flat.folders.length, 0, 'folders were shown from a LIST cut short');

      // Cut after the first folders are shown: they stay, the list is not whole, and asking for it is an error.
      const held = proxy.holdAfterWhenClientSends(TOP_LEVEL_LIST, HELD_AFTER);
      await withinMs(flat.retry(), 20_000, 'not online while the LIST was held');
      await held;
      const shown = flat.folders.map((f) => f.path);
      assert.ok(shown.length >= FIRST_FOLDERS - 1, `${shown.length} folders shown`);
      proxy.accepting = false;
      proxy.cutAll();
      await until(() => flat.connectionState.kind === 'offline', 10_000, 'offline after the cut');
      assert.deepEqual(flat.folders.map((f) => f.path), shown, 'the folders shown before the cut stay');
      assert.equal(flat.foldersComplete, false);
      await assert.rejects(flat.wholeFolderTree(), /offline/, 'the whole list was taken from a LIST cut short');
      await assert.rejects(flat.subfoldersOf('F1'), /offline/);

      // Back online: the whole list replaces them.
      proxy.accepting = true;
      await flat.retry();
      assert.equal((await flat.wholeFolderTree()).length, FLAT + 6);
    } finally {
      flat.dispose();
      await proxy.stop();
    }
  });
});
