/**
 * On a server without SPECIAL-USE, Mailroom guesses Sent, Trash and the rest from folder names, and
 * the user can correct the guess from the folder's menu; the choice survives a reconnect.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MailroomApi } from '../../../src/extension';
import type { AccountNode } from '../../../src/tree/accountNode';
import type { FolderNode } from '../../../src/tree/folderNode';
import type { TreeNode } from '../../../src/tree/treeNode';
import { startDovecot, type DovecotServer } from '../../support/dovecot';
import { until } from '../../support/waitFor';

describe('Folder roles on a server without SPECIAL-USE', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let api: MailroomApi;
  let id = '';

  before(async () => {
    server = await startDovecot({ specialUse: false });
    await server.createFolder('alice', 'Sent Items');
    await server.createFolder('alice', 'Old Sent');
    const extension = vscode.extensions.all.find((e) => e.packageJSON.name === 'mailroom')!;
    api = (await extension.activate()) as MailroomApi;
    id = (await vscode.commands.executeCommand('mailroom.addAccount', {
      name: 'Roles', host: '127.0.0.1', port: server.port, security: 'none', user: 'alice', password: 'secret',
    })) as string;
  });

  after(async () => {
    if (id) await vscode.commands.executeCommand('mailroom.removeAccount', id).then(undefined, () => undefined);
    await server?.stop();
  });

  const account = async () => ((await api.tree.getChildren()) as TreeNode[]).find((n) => (n as AccountNode).accountId === id) as AccountNode | undefined;
  const folders = async () => ((await account())?.getChildren() ?? []) as FolderNode[];
  const folder = async (path: string) => (await folders()).find((f) => f.path === path);
  const icon = (node: FolderNode | undefined) => (node?.getTreeItem().iconPath as vscode.ThemeIcon | undefined)?.id;

  it('guesses Sent from the name "Sent Items" and shows it with the special folders', async () => {
    const sentItems = await until(() => folder('Sent Items'), 15_000, 'the folder list');
    assert.equal(sentItems.folder.specialUse, 'sent');
    assert.equal(icon(sentItems), 'send');
    assert.deepEqual((await folders()).map((f) => f.path).slice(0, 2), ['INBOX', 'Sent Items']);
    assert.equal(icon(await folder('Old Sent')), 'folder');
  });

  it('takes the folder the user chooses instead, and keeps the choice across a reconnect', async () => {
    await vscode.commands.executeCommand('mailroom.setFolderRole', await folder('Old Sent'), 'sent');
    assert.equal((await folder('Old Sent'))?.folder.specialUse, 'sent');
    assert.equal((await folder('Sent Items'))?.folder.specialUse, undefined, 'one Sent folder: the guess gives way');
    await api.sessions.restart(id);
    const chosen = await until(async () => {
      const node = await folder('Old Sent');
      return node && (await account())?.session.connectionState.kind === 'online' && node;
    }, 15_000, 'the account to reconnect');
    assert.equal(chosen.folder.specialUse, 'sent');
    assert.equal(icon(chosen), 'send');
  });

  it('goes back to the guess when the user picks "As the server says"', async () => {
    await vscode.commands.executeCommand('mailroom.setFolderRole', await folder('Old Sent'), 'auto');
    assert.equal((await folder('Sent Items'))?.folder.specialUse, 'sent');
    assert.equal((await folder('Old Sent'))?.folder.specialUse, undefined);
  });

  it('offers the choice in the menu of selectable folders only', () => {
    const menus = vscode.extensions.all.find((e) => e.packageJSON.name === 'mailroom')!.packageJSON.contributes.menus['view/item/context'] as { command: string; when: string }[];
    const entry = menus.find((m) => m.command === 'mailroom.setFolderRole')!;
    const pattern = new RegExp(entry.when.match(/viewItem =~ \/(.*)\//)![1]);
    assert.ok(pattern.test('folder+selectable+unread'));
    assert.ok(!pattern.test('folder+container'));
    assert.ok(!pattern.test('message+unread'));
  });
});
