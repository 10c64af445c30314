/**
 * The tree makes folder nodes only for the folders shown: the top level when the account connects,
 * the subfolders of a folder when it is expanded. An account with 100,000 folders must not cost
 * 100,000 nodes (the tree once made one for every folder at each new folder list).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MailroomApi } from '../../../src/extension';
import type { AccountNode } from '../../../src/tree/accountNode';
import type { FolderNode } from '../../../src/tree/folderNode';
import type { TreeNode } from '../../../src/tree/treeNode';
import { startDovecot, type DovecotServer } from '../../support/dovecot';
import { until } from '../../support/waitFor';

const GROUPS = 3;
const GROUP = 1_000;

/**
 * An account, added as a user would, on a Dovecot whose folders are the Maildir++ directories
 * `dirs` made on disk (quicker than thousands of CREATEs); removed, and the server stopped, after.
 * Returns the account's node in the tree, once it is there.
 */
function accountOnFolders(name: string, dirs: () => string[]): () => Promise<AccountNode | undefined> {
  let server: DovecotServer;
  let api: MailroomApi;
  let id = '';
  before(async () => {
    server = await startDovecot({ listIndex: false });
    await server.deliver('alice', 'INBOX', 'Subject: hello\r\n\r\nhello\r\n');
    const home = path.join(server.dir, 'mail', 'alice');
    for (const dir of dirs()) fs.mkdirSync(path.join(home, dir, 'cur'), { recursive: true });
    if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'dovecot:dovecot', home]);
    api = (await vscode.extensions.all.find((e) => e.packageJSON.name === 'mailroom')!.activate()) as MailroomApi;
    id = (await vscode.commands.executeCommand('mailroom.addAccount', {
      name, host: '127.0.0.1', port: server.port, security: 'none', user: 'alice', password: 'secret',
    })) as string;
  });
  after(async () => {
    if (id) await vscode.commands.executeCommand('mailroom.removeAccount', id).then(undefined, () => undefined);
    await server?.stop();
  });
  return async () => ((await api.tree.getChildren()) as TreeNode[]).find((n) => (n as AccountNode).accountId === id) as AccountNode | undefined;
}

describe('Folder nodes made as folders are shown', function () {
  this.timeout(60_000);
  // G<g> and G<g>/S<s>, 1,000 to a group.
  const account = accountOnFolders('Many folders', () =>
    Array.from({ length: GROUPS * GROUP }, (_, i) => (i % GROUP === 0 ? `.G${Math.floor(i / GROUP)}` : `.G${Math.floor(i / GROUP)}.S${i % GROUP}`)),
  );
  const topLevel = async () => ((await account())?.getChildren() ?? []) as FolderNode[];

  it('makes nodes for the top level only until a folder is expanded', async () => {
    const top = await until(async () => {
      const nodes = await topLevel();
      return nodes.some((n) => n.path === 'G1') && nodes;
    }, 15_000, 'the top level of the folder list');
    // Let the whole list arrive: the tree takes it without making nodes for it.
    await until(() => account().then((a) => a?.session.foldersComplete), 15_000, 'the whole folder list');
    const node = (await account())!;
    node.rebuildFolders();
    assert.equal(node.allFolderNodes().length, top.length, `nodes made: ${node.allFolderNodes().length}`);
    assert.ok(top.length < 20, `top level: ${top.map((n) => n.path).join(', ')}`);
  });

  it('makes the subfolders of a folder when it is expanded, and no others', async () => {
    const node = (await account())!;
    const g1 = (await topLevel()).find((n) => n.path === 'G1')!;
    assert.equal(g1.getTreeItem().collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    const children = (await g1.getChildren()) as TreeNode[];
    const subfolders = children.filter((c): c is FolderNode => (c as FolderNode).path?.startsWith('G1/'));
    assert.equal(subfolders.length, GROUP - 1);
    assert.equal(subfolders[0].parent, g1);
    assert.ok(node.folderNode('G1/S5'), 'an expanded folder\'s subfolder has its node');
    assert.equal(node.folderNode('G2/S5'), undefined, 'a folder never shown got a node');
    assert.ok(node.allFolderNodes().length < 20 + GROUP, `nodes made: ${node.allFolderNodes().length}`);
  });
});

describe('A top level of very many folders, shown a page at a time', function () {
  this.timeout(60_000);
  const FLAT = 1_200;
  const account = accountOnFolders('Flat', () => Array.from({ length: FLAT }, (_, i) => `.F${String(i).padStart(4, '0')}`));

  it('makes nodes for the first 1,000 folders, with a row that shows the rest', async () => {
    // While the LIST goes on after the first 1,000 folders, the row after them says so
    // ("Listing the other folders…"); the row that shows more comes once the whole level is in.
    const children = await until(async () => {
      const nodes = ((await (await account())?.getChildren()) ?? []) as TreeNode[];
      return nodes.length > 1_000 && !(await account())!.session.listingFolders && nodes;
    }, 20_000, 'the whole top level of the folder list');
    assert.equal(children.length, 1_001, 'a page of folders and the row after it');
    const more = children[1_000];
    const item = more.getTreeItem() as vscode.TreeItem;
    // INBOX and the five special folders the test server makes, beside the folders made here.
    assert.equal(item.label, `Show ${FLAT + 6 - 1_000} more folders…`);
    assert.equal((await account())!.allFolderNodes().length, 1_000);
    await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
    const all = ((await (await account())!.getChildren()) ?? []) as FolderNode[];
    assert.equal(all.length, FLAT + 6, 'every folder, and no row for more');
    assert.ok(all.some((n) => n.path === 'F1199'));
  });
});

