/**
 * A server slow to list its folders, as a person sees it: the account comes online with INBOX and
 * a "Listing the other folders…" row while the LIST is held (Dovecot holds it for 18 s or more on
 * 100,000 folders); INBOX opens meanwhile; the other folders replace the row once the LIST ends.
 */
import * as assert from 'node:assert/strict';
import type { MailroomApi } from '../../../src/extension';
import type { AccountNode } from '../../../src/tree/accountNode';
import type { FolderNode } from '../../../src/tree/folderNode';
import type { TreeNode } from '../../../src/tree/treeNode';
import { startDovecot, type DovecotServer } from '../../support/dovecot';
import { startImapProxy, type ImapProxy } from '../../support/imapProxy';
import { until } from '../../support/waitFor';
import { activateMailroom, addTestAccount, removeTestAccount } from './testAccount';

/** The top level's LIST as imapflow writes it on Dovecot. */
const TOP_LEVEL_LIST = / LIST "" "?%"?$/;

describe('A server slow to list its folders', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let proxy: ImapProxy;
  let api: MailroomApi;
  let id = '';

  before(async () => {
    server = await startDovecot();
    for (let i = 1; i <= 2; i++) await server.deliver('alice', 'INBOX', `Subject: Inbox ${i}\r\nFrom: Dana <dana@example.com>\r\n\r\nhello\r\n`);
    await server.createFolder('alice', 'Work');
    await server.deliver('alice', 'Work', 'Subject: Work 1\r\n\r\nwork\r\n');
    proxy = await startImapProxy(server.port);
    api = await activateMailroom();
  });
  after(async () => {
    await removeTestAccount(id);
    await proxy?.stop();
    await server?.stop();
  });

  it('shows INBOX and "Listing the other folders…" while the LIST is held, opens INBOX, then shows the rest', async () => {
    const held = proxy.holdAfterWhenClientSends(TOP_LEVEL_LIST, 0);
    id = await addTestAccount('Slow lister', proxy.port);
    const account = async () => ((await api.tree.getChildren()) as TreeNode[]).find((n) => (n as AccountNode).accountId === id) as AccountNode | undefined;
    const rows = async () => ((await (await account())?.getChildren()) ?? []) as TreeNode[];
    const labels = async () => (await rows()).map((n) => String(n.getTreeItem().label));
    const letGo = await held;
    const shown = await until(async () => {
      const now = await labels();
      return now.includes('Inbox') && now;
    }, 10_000, 'INBOX in the tree while the LIST is held');
    assert.deepEqual(shown, ['Inbox', 'Listing the other folders…']);

    const inbox = (await rows()).find((n) => (n as FolderNode).path === 'INBOX') as FolderNode;
    const messages = await until(async () => {
      const children = (await inbox.getChildren()) as TreeNode[];
      const subjects = children.map((c) => `${c.getTreeItem().label} ${c.getTreeItem().description ?? ''}`);
      return subjects.some((s) => s.includes('Inbox 2')) && subjects;
    }, 10_000, 'the messages of INBOX while the LIST is held');
    assert.ok(messages.some((s) => s.includes('Inbox 1')), messages.join(' | '));

    letGo();
    const after = await until(async () => {
      const now = await labels();
      return now.includes('Work') && now;
    }, 15_000, 'the other folders once the LIST ends');
    assert.ok(!after.includes('Listing the other folders…'), `the row stayed: ${after.join(', ')}`);
  });
});
