/**
 * Rows a person can tell apart, read through the tree provider as VS Code reads them: a GitHub
 * notification's row with its sender first and its `[owner/repo]` moved to the end, unread rows decorated (a flagged one
 * too), Sent showing the recipient, folder tooltips and expand arrows, the view's progress bar
 * during a big folder's fill, and Clear Cache asking first.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { fillMaildir } from '../../../scripts/bench/maildir';
import type { MailroomApi } from '../../../src/extension';
import type { AccountNode } from '../../../src/tree/accountNode';
import type { FolderNode } from '../../../src/tree/folderNode';
import { MessageDecorations, MESSAGE_SCHEME } from '../../../src/tree/messageDecorations';
import type { MessageNode } from '../../../src/tree/messageNode';
import type { TreeNode } from '../../../src/tree/treeNode';
import { startDovecot, type DovecotServer } from '../../support/dovecot';
import { simpleMessage } from '../../support/fixtures';
import { until } from '../../support/waitFor';
import { folderRows } from './folderRows';
import { activateMailroom, addTestAccount, removeTestAccount } from './testAccount';

/** Messages in the big folder: more than one chunk (2,000) of the background fill. */
const BIG = 6_000;
const NOTIFICATION = '[octo/mailroom] Run failed: CI - main (abc1234)';

describe('Rows a person can tell apart', function () {
  this.timeout(120_000);
  let server: DovecotServer;
  let api: MailroomApi;
  let id = '';

  before(async () => {
    server = await startDovecot();
    await server.deliver('alice', 'INBOX', simpleMessage('Lunch on Thursday?', { from: 'Chloé Martin <chloe@example.fr>' }), ['\\Seen']);
    await server.deliver('alice', 'INBOX', simpleMessage('Q3 usage report', { from: 'Marco Bianchi <marco@example.com>' }), ['\\Flagged']);
    await server.deliver('alice', 'INBOX', simpleMessage(NOTIFICATION, { from: 'Dana Demo <notifications@github.com>' }));
    const sent = simpleMessage('Re: Memory grows overnight', { from: 'Alice <alice@example.com>' }).replace('To: alice@example.com', 'To: Maria Santos <maria@example.com>');
    await server.deliver('alice', 'Sent', sent, ['\\Seen']);
    await server.createFolder('alice', 'Empty');
    await server.createFolder('alice', 'Big');
    fillMaildir(server, 'Big', BIG);
    api = await activateMailroom();
    id = await addTestAccount('Rows', server.port);
  });

  after(async () => {
    await removeTestAccount(id);
    await server?.stop();
  });

  const account = async () => ((await api.tree.getChildren()) as TreeNode[]).find((n) => (n as AccountNode).accountId === id) as AccountNode | undefined;
  const folder = (path: string) =>
    until(async () => (((await (await account())?.getChildren()) ?? []) as FolderNode[]).find((f) => f.path === path), 15_000, `the folder ${path}`);
  const messages = async (path: string) => (await folderRows(await folder(path))).filter((n): n is MessageNode => /^message/.test(String(n.getTreeItem().contextValue)));
  const row = async (path: string, subject: string) => (await messages(path)).find((m) => m.summary.subject === subject)!.getTreeItem();
  const decoration = (item: vscode.TreeItem) => new MessageDecorations().provideFileDecoration(item.resourceUri!);
  const icon = (item: vscode.TreeItem) => (item.iconPath as vscode.ThemeIcon).id;

  it('a GitHub notification: the sender, then time, the subject without [owner/repo], and the repository', async () => {
    const item = await row('INBOX', NOTIFICATION);
    assert.equal(item.label, 'Dana Demo');
    assert.match(String(item.description), /^\S.* · Run failed: CI - main \(abc1234\) · octo\/mailroom$/);
    assert.equal(item.accessibilityInformation?.label.startsWith(`Unread, ${NOTIFICATION}, from Dana Demo`), true, item.accessibilityInformation?.label);
  });

  it('an unread row has a badge and a colour; a read row has none', async () => {
    const unread = await row('INBOX', NOTIFICATION);
    assert.equal(unread.resourceUri?.scheme, MESSAGE_SCHEME);
    assert.equal(icon(unread), 'mail');
    const d = decoration(unread);
    assert.equal(d?.badge, '●');
    assert.equal((d?.color as vscode.ThemeColor | undefined)?.id, 'mailroom.unreadForeground');
    assert.equal(decoration(await row('INBOX', 'Lunch on Thursday?')), undefined);
  });

  it('a flagged unread row shows the star and still reads as unread, until it is read', async () => {
    const flagged = await row('INBOX', 'Q3 usage report');
    assert.equal(icon(flagged), 'star-full');
    assert.equal(decoration(flagged)?.badge, '●');
    const node = (await messages('INBOX')).find((m) => m.summary.subject === 'Q3 usage report')!;
    await vscode.commands.executeCommand('mailroom.markRead', node);
    const read = await until(async () => {
      const item = await row('INBOX', 'Q3 usage report');
      return /^message\+read/.test(String(item.contextValue)) && item;
    }, 10_000, 'the row to be read');
    assert.equal(icon(read), 'star-full');
    assert.equal(decoration(read), undefined);
  });

  it('Sent shows the recipient, not the account\'s own name', async () => {
    const item = await row('Sent', 'Re: Memory grows overnight');
    assert.equal(item.label, 'To: Maria Santos');
    assert.match(String(item.description), / · Re: Memory grows overnight$/);
  });

  it('a folder\'s tooltip names it as the row does', async () => {
    const inbox = await until(async () => {
      const item = (await folder('INBOX')).getTreeItem();
      return /messages/.test(String(item.tooltip)) && item;
    }, 15_000, 'the Inbox counts');
    assert.equal(inbox.label, 'Inbox');
    assert.match(String(inbox.tooltip), /^Inbox\n3 messages, \d unread/);
  });

  it('an empty folder has no expand arrow, until mail arrives in it', async () => {
    const empty = await folder('Empty');
    await until(() => empty.getTreeItem().collapsibleState === vscode.TreeItemCollapsibleState.None, 15_000, 'no arrow on the empty folder');
    assert.equal((await folder('INBOX')).getTreeItem().collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    // Read mail leaves the unread count at 0: the row is redrawn because it is no longer empty.
    let redrawn = false;
    const subscription = api.tree.onDidChangeTreeData((node) => (redrawn ||= node === empty));
    try {
      await server.deliver('alice', 'Empty', simpleMessage('First one'), ['\\Seen']);
      await until(() => redrawn, 15_000, 'the empty folder\'s row to be redrawn');
    } finally {
      subscription.dispose();
    }
    assert.equal(empty.getTreeItem().collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
  });

  it('shows the view\'s progress while a big folder\'s mirror fills', async () => {
    const seen: string[][] = [];
    const subscription = api.fillProgress.onDidChange((busy) => seen.push([...busy]));
    try {
      const big = await folder('Big');
      await folderRows(big, 30_000);
      const session = (await account())!.session;
      await until(() => session.mirrorProgress('Big')?.whole, 60_000, 'the whole mirror of Big');
      await until(() => api.fillProgress.busy.length === 0, 10_000, 'the progress to end');
    } finally {
      subscription.dispose();
    }
    assert.ok(seen.some((busy) => busy.includes(`${id}\nBig`)), `progress seen: ${JSON.stringify(seen)}`);
    assert.deepEqual(seen.at(-1), []);
  });

  it('Clear Cache asks before it empties; a script can say it needs no asking', async () => {
    // Dialogs are refused in extension tests: the refusal shows the question was asked.
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('mailroom.clearCache')), /refused to show dialog/);
    assert.equal(await vscode.commands.executeCommand('mailroom.clearCache', { confirm: false }), true);
  });
});
