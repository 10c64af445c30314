/**
 * Folders made, renamed and deleted from the tree's commands, in a real VS Code against Dovecot,
 * checked by a second IMAP client (the server's truth): New Folder at the top and inside a folder,
 * Rename, and Delete only once confirmed (test mode refuses dialogs, so unanswered it deletes nothing).
 */
import * as assert from 'node:assert/strict';
import type { ImapFlow } from 'imapflow';
import * as vscode from 'vscode';
import type { MailroomApi } from '../../../src/extension';
import type { AccountNode } from '../../../src/tree/accountNode';
import type { FolderNode } from '../../../src/tree/folderNode';
import type { TreeNode } from '../../../src/tree/treeNode';
import { startDovecot, type DovecotServer } from '../../support/dovecot';
import { otherClient } from '../../support/otherClient';
import { simpleMessage } from '../../support/fixtures';
import { until } from '../../support/waitFor';
import { activateMailroom, addTestAccount, removeTestAccount } from './testAccount';

describe('Folders made, renamed and deleted from the tree', function () {
  this.timeout(90_000);
  let server: DovecotServer;
  let other: ImapFlow;
  let api: MailroomApi;
  let id = '';

  before(async () => {
    server = await startDovecot();
    other = await otherClient(server);
    api = await activateMailroom();
    id = await addTestAccount('Folders', server.port);
  });

  after(async () => {
    await removeTestAccount(id);
    await other?.logout().catch(() => undefined);
    await server?.stop();
  });

  const account = () => until(async () => ((await api.tree.getChildren()) as TreeNode[]).find((n) => (n as AccountNode).accountId === id) as AccountNode | undefined, 15_000, 'the account');
  const folder = async (path: string) => until(() => (api.sessions.get(id)?.folder(path) ? (async () => (await account()).folderNode(path) ?? findDeep(await account(), path))() : undefined), 15_000, `the folder ${path}`);
  const onServer = async () => (await other.list()).map((f) => f.path);

  it('makes a folder at the top from the account, and one inside it from the folder', async () => {
    const top = await vscode.commands.executeCommand<string>('mailroom.newFolder', await account(), 'Projects');
    assert.equal(top, 'Projects');
    const inner = await vscode.commands.executeCommand<string>('mailroom.newFolder', await folder('Projects'), 'Mailroom');
    assert.equal(inner, 'Projects/Mailroom');
    assert.ok((await onServer()).includes('Projects/Mailroom'));
  });

  it('renames a folder, its subfolder moving with it', async () => {
    await other.append('Projects/Mailroom', simpleMessage('Inside'));
    const renamed = await vscode.commands.executeCommand<string>('mailroom.renameFolder', await folder('Projects'), 'Work');
    assert.equal(renamed, 'Work');
    const paths = await onServer();
    assert.ok(paths.includes('Work/Mailroom') && !paths.includes('Projects'), paths.join(', '));
    await folder('Work');
  });

  it('deletes a folder only once confirmed', async () => {
    const unanswered = await vscode.commands.executeCommand<boolean>('mailroom.deleteFolder', await folder('Work/Mailroom'));
    assert.equal(unanswered, false);
    assert.ok((await onServer()).includes('Work/Mailroom'), 'not deleted without an answer');
    const deleted = await vscode.commands.executeCommand<boolean>('mailroom.deleteFolder', await folder('Work/Mailroom'), { confirm: false });
    assert.equal(deleted, true);
    assert.ok(!(await onServer()).includes('Work/Mailroom'));
  });

  it('a collapsed folder counts the unread mail of the folders inside it; expanded, only its own', async () => {
    await vscode.commands.executeCommand('mailroom.newFolder', await account(), 'Lists');
    await vscode.commands.executeCommand('mailroom.newFolder', await folder('Lists'), 'Dev');
    await other.append('Lists', simpleMessage('On the list itself'));
    await other.append('Lists/Dev', simpleMessage('Dev 1'));
    await other.append('Lists/Dev', simpleMessage('Dev 2'));
    const lists = await folder('Lists');
    await until(async () => (await folder('Lists')).getTreeItem().description === '1 · 2 inside', 20_000, `"1 · 2 inside" on the collapsed Lists (${lists.getTreeItem().description})`);
    api.tree.onExpanded(await folder('Lists'));
    assert.equal((await folder('Lists')).getTreeItem().description, '1');
    api.tree.onCollapsed(await folder('Lists'));
    assert.equal((await folder('Lists')).getTreeItem().description, '1 · 2 inside');
  });

  it('leaves the Inbox alone', async () => {
    assert.equal(await vscode.commands.executeCommand('mailroom.renameFolder', await folder('INBOX'), 'Other'), undefined);
    assert.equal(await vscode.commands.executeCommand<boolean>('mailroom.deleteFolder', await folder('INBOX'), { confirm: false }), false);
    assert.ok((await onServer()).includes('INBOX'));
  });
});

/** The node of `path`, making the nodes of its parents on the way (as expanding them would). */
async function findDeep(account: AccountNode, path: string): Promise<FolderNode | undefined> {
  const pending: TreeNode[] = [account];
  for (let node = pending.shift(); node; node = pending.shift()) {
    for (const child of ((await node.getChildren()) ?? []) as TreeNode[]) {
      const f = child as FolderNode;
      if (f.path === path) return f;
      if (f.path && path.startsWith(`${f.path}/`)) pending.push(f);
    }
  }
  return undefined;
}
