/**
 * A message opened while its account has no link to the server says so in plain words, and shows
 * by itself once the account is back online: no need to open it again.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
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
import { folderRows } from './folderRows';

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
    const row = (await folderRows(inbox)).find((n): n is MessageNode => /^message/.test(String(n.getTreeItem().contextValue)))!;
    assert.equal(row.summary.subject, 'Read me when the link is back');

    proxy.accepting = false;
    proxy.cutAll();
    await until(async () => (await account())?.session.connectionState.kind === 'offline', 10_000, 'the account to go offline');
    await vscode.commands.executeCommand('mailroom.openMessage', row);
    const shown = await until(() => api.panels.activePanels().find((p) => p.error), 15_000, 'the panel to say why it shows nothing');
    assert.equal(shown.error, 'Offline: this message has not been read on this computer yet');
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
    assert.equal(api.panels.activePanels()[0].offlineCopy, undefined, 'read from the server');
  });

  const firstRow = async () => {
    const inbox = ((await (await account())?.getChildren()) as FolderNode[]).find((f) => f.path === 'INBOX')!;
    return (await folderRows(inbox)).find((n): n is MessageNode => /^message/.test(String(n.getTreeItem().contextValue)))!;
  };
  const goOffline = async () => {
    proxy.accepting = false;
    proxy.cutAll();
    await until(async () => (await account())?.session.connectionState.kind !== 'online', 10_000, 'the account to go offline');
  };
  const openInNewTab = async (row: MessageNode) => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('mailroom.openMessageInNewTab', row);
    return until(() => api.panels.activePanels().find((p) => p.pinned && (p.lastRendered || p.error)), 20_000, 'the pinned panel to show something');
  };

  it('opens the copy kept when the message was last read, marked as an offline copy', async () => {
    const row = await firstRow();
    await goOffline();
    const shown = await openInNewTab(row);
    assert.equal(shown.lastRendered?.uid, row.summary.uid);
    assert.equal(shown.offlineCopy, true);
    assert.equal(shown.error, undefined);
  });

  it('shows the kept folders and messages after a restart while the server is down', async () => {
    const subject = (await firstRow()).summary.subject;
    proxy.accepting = false;
    proxy.cutAll();
    // A new session for the account, as after reloading VS Code, with the server out of reach.
    await api.sessions.restart(id);
    const restarted = await until(async () => (await account())?.session, 5_000, 'the new session');
    assert.notEqual(restarted.connectionState.kind, 'online');
    const inbox = await until(async () => ((await (await account())?.getChildren()) as FolderNode[] | undefined)?.find((f) => f.path === 'INBOX'), 5_000, 'the kept Inbox');
    const rows = (await folderRows(inbox)).filter((n): n is MessageNode => /^message/.test(String(n.getTreeItem().contextValue)));
    assert.deepEqual(rows.map((r) => r.summary.subject), [subject], 'the kept messages, before the server answers');
    assert.notEqual((await account())?.session.connectionState.kind, 'online', 'still offline: all of it came from the mirror');
  });

  it('keeps no copy once the cache is cleared', async () => {
    const row = await firstRow();
    await vscode.commands.executeCommand('mailroom.clearCache', { confirm: false });
    const shown = await openInNewTab(row);
    assert.equal(shown.error, 'Offline: this message has not been read on this computer yet');
    proxy.accepting = true;
    await vscode.commands.executeCommand('mailroom.retryAccount', id);
  });

  it('deletes the account\'s mirror when the account is removed', async () => {
    const files = () => (fs.existsSync(api.mirrorDir) ? fs.readdirSync(api.mirrorDir).filter((f) => f.startsWith(`${id}.`)) : []);
    assert.ok(files().some((f) => f.endsWith('.sqlite')), `the mirror exists: ${files().join(', ')}`);
    await vscode.commands.executeCommand('mailroom.removeAccount', id);
    id = '';
    assert.deepEqual(files(), []);
  });
});
