import * as assert from 'node:assert/strict';
import type { AccountSession } from '../../src/core/account/accountSession';
import { ImapFlow } from 'imapflow';
import { flattenFolders } from '../../src/core/model/folders';
import { aliceSession } from '../support/session';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { nextEvent, until } from '../support/waitFor';

describe('folders and pages', function () {
  this.timeout(120_000);
  let server: DovecotServer;
  let session: AccountSession;

  before(async () => {
    server = await startDovecot();
    await server.createFolder('alice', 'Lists');
    await server.createFolder('alice', 'Lists/dev');
    await server.createFolder('alice', 'Lists/announce');
    await server.createFolder('alice', 'Big');
    for (let i = 1; i <= 120; i++) {
      await server.deliver('alice', 'Big', simpleMessage(`Message ${i}`, { date: new Date(Date.UTC(2026, 0, 1, 0, i)) }), i % 3 === 0 ? ['\\Seen'] : []);
    }
    await server.deliver('alice', 'INBOX', simpleMessage('Hello Alice'));
    session = aliceSession(server);
    await session.connect();
    // A connect waits for the top level only; these tests look deeper.
    await session.wholeFolderTree();
  });
  after(async () => {
    session?.dispose();
    await server?.stop();
  });

  it('lists special-use folders first, in the usual order, then the rest by name', () => {
    const top = session.folders.map((f) => f.name);
    assert.deepEqual(top.slice(0, 6), ['Inbox', 'Drafts', 'Sent', 'Archive', 'Junk', 'Trash']);
    assert.deepEqual(top.slice(6), ['Big', 'Lists']);
    assert.equal(session.folders[0].specialUse, 'inbox');
    assert.equal(session.folders.find((f) => f.name === 'Trash')?.specialUse, 'trash');
  });

  it('nests folders by the server delimiter', () => {
    const lists = session.folders.find((f) => f.path === 'Lists');
    assert.ok(lists);
    assert.equal(lists.delimiter, '/');
    assert.deepEqual(lists.children.map((c) => c.path), ['Lists/announce', 'Lists/dev']);
    assert.equal(flattenFolders(session.folders).length, 10);
  });

  it('knows every folder\'s unread and total counts', () => {
    assert.deepEqual(session.countsOf('Big'), { path: 'Big', messages: 120, unseen: 80 });
    assert.deepEqual(session.countsOf('INBOX'), { path: 'INBOX', messages: 1, unseen: 1 });
  });

  it('pages a folder newest first, 50 at a time, until nothing is older', async () => {
    const first = await session.openFolder('Big');
    assert.equal(first.messages.length, 50);
    assert.equal(first.messages[0].subject, 'Message 120');
    assert.equal(first.messages[49].subject, 'Message 71');
    assert.equal(first.hasOlder, true);
    assert.equal(first.total, 120);

    const second = await session.loadOlder('Big');
    assert.equal(second.messages.length, 100);
    assert.equal(second.messages[99].subject, 'Message 21');
    assert.equal(second.hasOlder, true);

    const third = await session.loadOlder('Big');
    assert.equal(third.messages.length, 120);
    assert.equal(third.messages[119].subject, 'Message 1');
    assert.equal(third.hasOlder, false);
    const uids = third.messages.map((m) => m.uid);
    assert.deepEqual(uids, [...uids].sort((a, b) => b - a));
  });

  it('fills a summary from the envelope and flags', async () => {
    const page = await session.openFolder('Big');
    const m = page.messages.find((x) => x.subject === 'Message 120')!;
    assert.equal(m.from?.address, 'ci@example.com');
    assert.equal(m.from?.name, 'Build Bot');
    assert.equal(m.flags.seen, true);
    assert.equal(m.date, new Date(Date.UTC(2026, 0, 1, 2, 0)).toISOString());
    assert.ok(m.uidValidity.length > 0);
    // Previews (RFC 8970) arrive after the page, so the list shows at once.
    const preview = await until(() => session.loadedMessages('Big')?.messages.find((x) => x.uid === m.uid)?.preview, 2_000, 'the preview');
    assert.match(preview, /Body of Message 120/);
  });

  /** The flags of an INBOX message as another client reads them from the server. */
  async function serverFlags(uid: number): Promise<string[]> {
    const client = new ImapFlow({ host: '127.0.0.1', port: server.port, secure: false, auth: { user: 'alice', pass: 'secret' }, logger: false });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        const message = await client.fetchOne(String(uid), { flags: true }, { uid: true });
        return [...((message && message.flags) || [])].sort();
      } finally {
        lock.release();
      }
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  it('sets and clears flags on the server', async () => {
    const page = await session.openFolder('INBOX');
    const uid = page.messages[0].uid;
    assert.equal(page.messages[0].flags.seen, false);
    // Each setFlag schedules a catch-up of its own: wait for the change events, whichever path fires them.
    const seenAndFlagged = nextEvent(session.onDidChangeMessages, (c) => c.changed.some((m) => m.uid === uid && m.flags.seen && m.flags.flagged), 5_000, 'the change with both flags');
    await session.setFlag('INBOX', uid, '\\Seen', true);
    await session.setFlag('INBOX', uid, '\\Flagged', true);
    await seenAndFlagged;
    const after = session.loadedMessages('INBOX')!.messages[0];
    assert.equal(after.flags.seen, true);
    assert.equal(after.flags.flagged, true);
    assert.deepEqual(await serverFlags(uid), ['\\Flagged', '\\Seen'], 'the server has them');
    const unflagged = nextEvent(session.onDidChangeMessages, (c) => c.changed.some((m) => m.uid === uid && !m.flags.flagged && m.flags.seen), 5_000, 'the change without the flag');
    await session.setFlag('INBOX', uid, '\\Flagged', false);
    await unflagged;
    assert.equal(session.loadedMessages('INBOX')!.messages[0].flags.flagged, false);
    assert.deepEqual(await serverFlags(uid), ['\\Seen']);
  });
});

describe('special folders on a server that marks none', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let session: AccountSession;

  before(async () => {
    server = await startDovecot({ specialUse: false });
    for (const path of ['Sent Items', 'Deleted Items', 'Junk E-mail', 'Drafts', 'Archives', 'Lists', 'Lists/Sent']) {
      await server.createFolder('alice', path);
    }
    session = aliceSession(server);
    await session.connect();
    // A connect waits for the top level only; these tests look deeper.
    await session.wholeFolderTree();
  });
  after(async () => {
    session?.dispose();
    await server?.stop();
  });

  it('really has no special-use attributes on its folders', async () => {
    const client = new ImapFlow({ host: '127.0.0.1', port: server.port, secure: false, doSTARTTLS: false, auth: { user: 'alice', pass: server.users.alice }, logger: false });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const marked = (await client.list()).filter((e) => e.specialUseSource === 'extension' || [...e.flags].some((f) => /^\\(Sent|Drafts|Trash|Junk|Archive|All|Flagged)$/.test(f)));
      assert.deepEqual(marked.map((e) => e.path), []);
    } finally {
      await client.logout().catch(() => client.close());
    }
  });

  it('recognises Sent, Drafts, Trash, Junk and Archive by name, one each, at the top level', () => {
    const roles = Object.fromEntries(flattenFolders(session.folders).filter((f) => f.specialUse).map((f) => [f.path, f.specialUse]));
    assert.deepEqual(roles, {
      INBOX: 'inbox',
      'Sent Items': 'sent',
      Drafts: 'drafts',
      'Deleted Items': 'trash',
      'Junk E-mail': 'junk',
      Archives: 'archive',
    });
    assert.deepEqual(session.folders.map((f) => f.path), ['INBOX', 'Drafts', 'Sent Items', 'Archives', 'Junk E-mail', 'Deleted Items', 'Lists']);
  });
});
