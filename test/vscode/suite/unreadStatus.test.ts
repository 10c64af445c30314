/**
 * Knowing that mail arrived: the view's badge and the status bar count the unread mail of the
 * watched folders (each account's Inbox by default), and new mail that comes later is told in one
 * notification per burst; mail that was there when the account was added never is.
 */
import * as assert from 'node:assert/strict';
import type { MailroomApi } from '../../../src/extension';
import { startDovecot, type DovecotServer } from '../../support/dovecot';
import { simpleMessage } from '../../support/fixtures';
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
});
