/**
 * Knowing that mail arrived: the view's badge and the status bar count the unread mail of the
 * watched folders (each account's Inbox by default), and new mail that comes later is told in one
 * notification per burst, naming the newest sender and subject also while the Inbox is collapsed
 * (asked of the server without opening it), and never a message that was there before the burst;
 * mail that was there when the account was added is never told.
 */
import * as assert from 'node:assert/strict';
import type { MailroomApi } from '../../../src/extension';
import { startDovecot, type DovecotServer } from '../../support/dovecot';
import { simpleMessage } from '../../support/fixtures';
import { startImapProxy, type ImapProxy } from '../../support/imapProxy';
import { withOtherClient } from '../../support/otherClient';
import { until } from '../../support/waitFor';
import { activateMailroom, addTestAccount, removeTestAccount } from './testAccount';

describe('Unread mail on the badge and in the status bar, and new mail told', function () {
  this.timeout(90_000);
  let server: DovecotServer;
  let api: MailroomApi;
  let id = '';

  before(async () => {
    server = await startDovecot();
    await server.deliver('alice', 'INBOX', simpleMessage('There before', { from: 'Old Sender <old@example.com>' }));
    await server.deliver('alice', 'INBOX', simpleMessage('Read before', { from: 'Old Sender <old@example.com>' }), ['\\Seen']);
    await server.createFolder('alice', 'Other');
    api = await activateMailroom();
    id = await addTestAccount('Badge', server.port);
  });

  after(async () => {
    await removeTestAccount(id);
    await server?.stop();
  });

  // Other suites' accounts may still be there: the badge is read against what they add.
  const others = () => api.sessions.all().filter((s) => s.account.id !== id).reduce((sum, s) => sum + (s.countsOf('INBOX')?.unseen ?? 0), 0);
  const badge = () => (api.view.badge?.value ?? 0) - others();
  const notices = () => api.unreadStatus.notices.filter((n) => n.account === id);
  const session = () => api.sessions.all().find((s) => s.account.id === id)!;
  /** The notifications since `from`, once a burst's is in and nothing more came for 2 s. */
  async function toldSince(from: number): Promise<typeof api.unreadStatus.notices> {
    await until(() => notices().length > from, 10_000, 'a notification');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    return notices().slice(from);
  }

  it('counts the Inbox\'s unread mail on the badge and in the status bar, with no notification for mail already there', async () => {
    await until(() => badge() === 1, 20_000, 'the badge at 1');
    assert.equal(api.unreadStatus.unread - others(), 1);
    assert.match(api.view.badge!.tooltip, /unread in Inbox/);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.deepEqual(notices(), [], 'no notification for mail there before');
  });

  it('tells a burst of new mail in the Inbox in one notification, and counts it', async () => {
    for (let i = 1; i <= 3; i++) await server.deliver('alice', 'INBOX', simpleMessage(`New ${i}`, { from: 'Dana Demo <dana@example.com>' }));
    await until(() => badge() === 4, 20_000, 'the badge at 4');
    await until(() => notices().length > 0, 10_000, 'a notification');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const told = notices().reduce((sum, n) => sum + n.count, 0);
    assert.equal(told, 3, JSON.stringify(notices()));
    assert.ok(notices().length <= 2, 'one notification per burst');
    assert.match(notices()[0].text, /new messages? in Inbox/);
  });

  it('does not count or tell mail in a folder that is not watched', async () => {
    const before = notices().length;
    await server.deliver('alice', 'Other', simpleMessage('Elsewhere'));
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    assert.equal(badge(), 4);
    assert.equal(notices().length, before);
  });

  it('names the newest sender and subject of new mail in the Inbox while it is collapsed, without opening it', async () => {
    assert.equal(session().loadedMessages('INBOX'), undefined, 'the Inbox is not expanded');
    const from = notices().length;
    await server.deliver('alice', 'INBOX', simpleMessage('First of two', { from: 'Erin Early <erin@example.com>' }));
    await server.deliver('alice', 'INBOX', simpleMessage('Second of two', { from: 'Frank Fresh <frank@example.com>' }));
    const told = await toldSince(from);
    assert.equal(told.reduce((sum, n) => sum + n.count, 0), 2, JSON.stringify(told));
    assert.match(told[told.length - 1].text, /new messages in Inbox( \(Badge\))?: Frank Fresh, "Second of two"$/, JSON.stringify(told));
    assert.equal(session().loadedMessages('INBOX'), undefined, 'the Inbox was not opened');
  });

  it('never names a message that was there before the burst: new mail gone before it is told goes unnamed', async () => {
    const from = notices().length;
    const messages = session().countsOf('INBOX')!.messages;
    await withOtherClient(server, 'alice', async (client) => {
      const appended = await client.append('INBOX', simpleMessage('Gone soon', { from: 'Gina Gone <gina@example.com>' }));
      assert.ok(appended && appended.uid, 'appended with its UID');
      await until(() => session().countsOf('INBOX')?.messages === messages + 1, 10_000, 'the new count');
      // Within the burst, before it is told: the newest message left is Frank's, there before it.
      await client.mailboxOpen('INBOX');
      assert.ok(await client.messageDelete(String(appended.uid), { uid: true }), 'expunged');
    });
    const told = await toldSince(from);
    assert.equal(told.length, 1, JSON.stringify(told));
    assert.match(told[0].text, /^1 new message in Inbox( \(Badge\))?$/);
  });
});

describe('New mail told on time while the server is slow to name it', function () {
  this.timeout(90_000);
  let server: DovecotServer;
  let proxy: ImapProxy;
  let api: MailroomApi;
  let id = '';

  before(async () => {
    server = await startDovecot();
    await server.deliver('alice', 'INBOX', simpleMessage('There before'));
    proxy = await startImapProxy(server.port);
    api = await activateMailroom();
    id = await addTestAccount('Slow', proxy.port);
    await until(() => api.sessions.all().find((s) => s.account.id === id)?.countsOf('INBOX')?.messages === 1, 20_000, 'the first count');
    // The newest message known before any burst (asked once the account is online).
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  });

  after(async () => {
    await removeTestAccount(id);
    await proxy?.stop();
    await server?.stop();
  });

  it('goes out within a second of the burst\'s end, without names, while the server holds the newest message back', async () => {
    const session = api.sessions.all().find((s) => s.account.id === id)!;
    const notices = () => api.unreadStatus.notices.filter((n) => n.account === id);
    const held = proxy.holdWhenClientSends(/^\S+ FETCH \S+ \(UID FLAGS/);
    await server.deliver('alice', 'INBOX', simpleMessage('Held back', { from: 'Hal Held <hal@example.com>' }));
    await until(() => session.countsOf('INBOX')?.messages === 2, 10_000, 'the new count');
    const counted = Date.now();
    await until(() => notices().length > 0, 10_000, 'the notification while the server is held');
    const waited = Date.now() - counted;
    const unheld = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the newest message was never asked for')), 5_000));
    (await Promise.race([held, unheld]))();
    // The burst waits 1.5 s for more mail; the names may take 1 s more, then it goes without.
    assert.ok(waited < 3_000, `told ${waited} ms after the count`);
    assert.match(notices()[0].text, /^1 new message in Inbox( \(Slow\))?$/);
  });
});
