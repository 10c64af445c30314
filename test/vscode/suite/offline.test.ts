/**
 * A message opened while its account has no link to the server says so in plain words, and shows
 * by itself once the account is back online: no need to open it again.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MailroomApi } from '../../../src/extension';
import type { AccountNode } from '../../../src/tree/accountNode';
import type { FolderNode } from '../../../src/tree/folderNode';
import type { MessageNode } from '../../../src/tree/messageNode';
import type { TreeNode } from '../../../src/tree/treeNode';
import { startDovecot, type DovecotServer } from '../../support/dovecot';
import { simpleMessage } from '../../support/fixtures';
import { startImapProxy, type ImapProxy } from '../../support/imapProxy';
import { until } from '../../support/waitFor';

describe('A message opened while offline', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let proxy: ImapProxy;
  let api: MailroomApi;
  let id = '';

  before(async () => {
    server = await startDovecot();
    await server.deliver('alice', 'INBOX', simpleMessage('Read me when the link is back'));
    proxy = await startImapProxy(server.port);
    api = (await vscode.extensions.all.find((e) => e.packageJSON.name === 'mailroom')!.activate()) as MailroomApi;
    id = (await vscode.commands.executeCommand('mailroom.addAccount', {
      name: 'Flaky', host: '127.0.0.1', port: proxy.port, security: 'none', user: 'alice', password: 'secret',
    })) as string;
  });

  after(async () => {
    if (id) await vscode.commands.executeCommand('mailroom.removeAccount', id).then(undefined, () => undefined);
    await proxy?.stop();
    await server?.stop();
  });

  const account = async () => ((await api.tree.getChildren()) as TreeNode[]).find((n) => (n as AccountNode).accountId === id) as AccountNode | undefined;

  it('says the server cannot be reached, then shows the message once the account is back', async () => {
    const inbox = await until(async () => ((await (await account())?.getChildren()) as FolderNode[] | undefined)?.find((f) => f.path === 'INBOX'), 15_000, 'the Inbox');
    const row = ((await inbox.getChildren()) as TreeNode[]).find((n): n is MessageNode => /^message/.test(String(n.getTreeItem().contextValue)))!;
    assert.equal(row.summary.subject, 'Read me when the link is back');

    proxy.accepting = false;
    proxy.cutAll();
    await until(async () => (await account())?.session.connectionState.kind === 'offline', 10_000, 'the account to go offline');
    await vscode.commands.executeCommand('mailroom.openMessage', row);
    const shown = await until(() => api.panels.activePanels().find((p) => p.error), 15_000, 'the panel to say why it shows nothing');
    assert.equal(shown.error, 'Could not reach the mail server');
    assert.equal(shown.lastRendered, undefined);

    const rendered = new Promise<void>((resolve) => {
      const sub = api.panels.onDidRender((info) => {
        if (info.lastRendered?.uid === row.summary.uid) {
          sub.dispose();
          resolve();
        }
      });
    });
    proxy.accepting = true;
    await Promise.race([rendered, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the message did not show after the account came back')), 40_000))]);
    assert.equal((await account())?.session.connectionState.kind, 'online');
    assert.equal(api.panels.activePanels()[0].error, undefined);
  });
});
