/**
 * Mailroom inside a real VS Code extension host, against a real Dovecot: add an account through
 * the command, read the tree through the provider, open a message in the panel, and follow
 * changes made by another IMAP client.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ImapFlow } from 'imapflow';
import type { MailroomApi } from '../../../src/extension';
import type { AccountNode } from '../../../src/tree/accountNode';
import type { FolderNode } from '../../../src/tree/folderNode';
import type { MessageNode } from '../../../src/tree/messageNode';
import type { TreeNode } from '../../../src/tree/treeNode';
import { startDovecot, type DovecotServer } from '../../support/dovecot';
import { fixture, fixtureNames, simpleMessage } from '../../support/fixtures';
import { until } from '../../support/waitFor';
import { folderRows } from './folderRows';

const LIVE_DEADLINE = 2_000;

/** Open IMAP connections of `user`, as Dovecot counts them. */
function imapConnections(server: DovecotServer, user: string): number {
  const out = execFileSync('doveadm', ['-c', path.join(server.dir, 'dovecot.conf'), 'who', '-1', user], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.startsWith(`${user} `)).length;
}

describe('Mailroom in VS Code', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let api: MailroomApi;
  let accountId: string;
  let other: ImapFlow;
  /** Sessions the registry started, by account id: one per account, never two. */
  const started = new Map<string, number>();

  before(async () => {
    server = await startDovecot({ tls: true });
    for (const name of fixtureNames()) {
      await server.deliver('alice', 'INBOX', fixture(name));
    }
    const extension = vscode.extensions.all.find((e) => e.packageJSON.name === 'mailroom');
    assert.ok(extension, 'the Mailroom extension is loaded');
    api = (await extension.activate()) as MailroomApi;
    api.sessions.onDidCreateSession((session) => started.set(session.account.id, (started.get(session.account.id) ?? 0) + 1));
    other = new ImapFlow({ host: '127.0.0.1', port: server.port, secure: false, doSTARTTLS: false, auth: { user: 'alice', pass: 'secret' }, logger: false });
    other.on('error', () => undefined);
    await other.connect();
  });

  after(async () => {
    await other?.logout().catch(() => undefined);
    if (accountId) {
      await vscode.commands.executeCommand('mailroom.removeAccount', accountId).then(undefined, () => undefined);
    }
    await server?.stop();
  });

  /** The flags of an INBOX message as the server has them, read by the other client. */
  async function serverFlags(uid: number): Promise<string[]> {
    const lock = await other.getMailboxLock('INBOX');
    try {
      const message = await other.fetchOne(String(uid), { flags: true }, { uid: true });
      assert.ok(message, `message ${uid} is on the server`);
      return [...(message.flags ?? [])].sort();
    } finally {
      lock.release();
    }
  }

  // A folder's children wait for its first page (a loading row comes before it).
  const children = async (node?: TreeNode) =>
    node && /^folder\+selectable/.test(String(node.getTreeItem().contextValue)) ? folderRows(node) : (((await api.tree.getChildren(node)) ?? []) as TreeNode[]);
  const label = (node: TreeNode) => {
    const l = node.getTreeItem().label;
    return typeof l === 'string' ? l : (l?.label ?? '');
  };
  const account = async () => (await children()).find((n) => (n as AccountNode).accountId === accountId) as AccountNode;
  const inbox = async () => (await children(await account())).find((n) => label(n) === 'Inbox') as FolderNode;
  // By contextValue, not instanceof: the extension runs from its bundle, these tests from out/.
  const messages = async () =>
    (await children(await inbox())).filter((n): n is MessageNode => /^message/.test(String(n.getTreeItem().contextValue)));

  it('refuses a wrong password in plain words and saves nothing', async () => {
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('mailroom.addAccount', { name: 'Wrong', host: '127.0.0.1', port: server.port, security: 'none', user: 'alice', password: 'nope' }),
      ),
      /user name or password/,
    );
    const saved = vscode.workspace.getConfiguration('mailroom').get<unknown[]>('accounts', []);
    assert.equal(saved.length, 0);
  });

  it('adds an account through the command with arguments, keeping the password out of settings', async () => {
    accountId = (await vscode.commands.executeCommand('mailroom.addAccount', {
      name: 'Test Mail',
      host: '127.0.0.1',
      port: server.port,
      security: 'none',
      user: 'alice',
      password: 'secret',
    })) as string;
    assert.ok(accountId);
    const saved = vscode.workspace.getConfiguration('mailroom').get<Record<string, unknown>[]>('accounts', []);
    assert.equal(saved.length, 1);
    assert.equal(saved[0].host, '127.0.0.1');
    assert.ok(!JSON.stringify(saved).includes('secret'), 'no password in settings');
  });

  it('shows the account online with its folders, special folders first', async () => {
    await until(async () => (await account())?.session.connectionState.kind === 'online', 15_000, 'the account to connect');
    // One session, started once, with two connections (commands and listening) beside the other
    // client's one. Every sync that saving the account set off has run once whenSynced resolves.
    await api.sessions.whenSynced();
    assert.equal(started.get(accountId), 1, 'one session for the account');
    await until(() => imapConnections(server, 'alice') === 3, 10_000, "the session's two connections beside the other client's");
    const folders = await until(async () => {
      const names = (await children(await account())).map(label);
      return names.includes('Inbox') && names;
    }, 10_000, 'the folder list');
    assert.deepEqual(folders.slice(0, 6), ['Inbox', 'Drafts', 'Sent', 'Archive', 'Junk', 'Trash']);
    const item = (await inbox()).getTreeItem();
    assert.equal(item.description, String(fixtureNames().length), 'unread count as the description');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'inbox');
  });

  it('lists INBOX messages newest first with sender, date and state', async () => {
    const rows = await messages();
    assert.equal(rows.length, fixtureNames().length);
    const uids = rows.map((r) => r.summary.uid);
    assert.deepEqual(uids, [...uids].sort((a, b) => b - a));
    const digest = rows.find((r) => r.summary.subject.startsWith('Weekly digest'))!;
    const item = digest.getTreeItem();
    // The fixture says: From: Extension Weekly <digest@news.example.net>, Date: Thu, 15 Jan 2026 07:30:00 +0000.
    const [date, subject] = String(item.description).split(' · ');
    assert.equal(item.label, 'Extension Weekly');
    assert.equal(subject, 'Weekly digest: 5 new extensions');
    assert.match(date, /\b15\b/);
    assert.match(date, /Jan/);
    assert.match(String(item.contextValue), /^message\+unread/);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'mail');
    const resolved = await api.tree.resolveTreeItem(item, digest);
    assert.ok(resolved.tooltip instanceof vscode.MarkdownString);
    assert.match(resolved.tooltip.value, /digest@news\\?\.example\\?\.net/);
    // Fewer messages than a page: nothing older to load.
    assert.ok(!(await children(await inbox())).some((n) => n.getTreeItem().contextValue === 'loadMore'), 'no "Load older" row');
  });

  it('opens a message in the preview panel with remote content blocked, and marks it seen', async () => {
    const digest = (await messages()).find((r) => r.summary.subject.startsWith('Weekly digest'))!;
    const rendered = new Promise<ReturnType<MailroomApi['panels']['activePanels']>[number]>((resolve) => {
      const sub = api.panels.onDidRender((info) => {
        sub.dispose();
        resolve(info);
      });
    });
    await vscode.commands.executeCommand('mailroom.openMessage', digest);
    const info = await Promise.race([rendered, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the panel did not render')), 20_000))]);
    assert.equal(info.lastRendered?.uid, digest.summary.uid);
    assert.ok((info.lastRendered?.remoteBlocked ?? 0) > 0, 'the remote image was blocked');
    assert.ok((info.lastRendered?.scriptsRemoved ?? 0) > 0, 'the script was removed');
    const panels = api.panels.activePanels();
    assert.equal(panels.length, 1);
    assert.match(panels[0].title, /Weekly digest/);
    assert.equal(panels[0].pinned, false);
    await until(async () => (await messages()).find((r) => r.summary.uid === digest.summary.uid)?.summary.flags.seen, 5_000, 'the \\Seen flag');
  });

  it('leaves a message unread when mailroom.markSeenOnOpen is false, and pins it in its own tab', async () => {
    const config = vscode.workspace.getConfiguration('mailroom');
    await config.update('markSeenOnOpen', false, vscode.ConfigurationTarget.Global);
    try {
      const plain = (await messages()).find((r) => r.summary.subject.startsWith('Crash when opening'))!;
      const rendered = new Promise<void>((resolve) => {
        const sub = api.panels.onDidRender((info) => {
          if (info.lastRendered?.uid === plain.summary.uid) {
            sub.dispose();
            resolve();
          }
        });
      });
      await vscode.commands.executeCommand('mailroom.openMessageInNewTab', plain);
      await Promise.race([rendered, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the pinned panel did not render')), 20_000))]);
      const pinned = api.panels.activePanels().filter((p) => p.pinned);
      assert.equal(pinned.length, 1);
      assert.match(pinned[0].title, /Crash when opening/);
      // The panel asks to mark the message seen before it renders. A catch-up through the same
      // session queues behind any such STORE on its connection, so once it is done the server
      // has whatever the panel sent: no waiting needed to prove nothing was sent.
      await (await account()).session.catchUpFolder('INBOX');
      assert.deepEqual(await serverFlags(plain.summary.uid), [], 'the server has no \\Seen flag');
      const row = (await messages()).find((r) => r.summary.uid === plain.summary.uid)!;
      assert.equal(row.summary.flags.seen, false);
    } finally {
      await config.update('markSeenOnOpen', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('shows the newest 50 of a large folder, then 50 older on "Load 50 older…"', async () => {
    await other.mailboxCreate('Big');
    for (let i = 1; i <= 60; i++) {
      await other.append('Big', simpleMessage(`Bulk ${i}`));
    }
    await vscode.commands.executeCommand('mailroom.refresh');
    const big = await until(async () => (await children(await account())).find((n) => label(n) === 'Big') as FolderNode | undefined, 5_000, 'the Big folder');
    const first = await children(big);
    const rows = first.filter((n): n is MessageNode => /^message/.test(String(n.getTreeItem().contextValue)));
    assert.equal(rows.length, 50);
    assert.equal(rows[0].summary.subject, 'Bulk 60');
    assert.match(String(rows[0].getTreeItem().description), / · Bulk 60$/);
    const more = first[first.length - 1].getTreeItem();
    // 50 or the 10 left, once the mirror knows how many remain.
    assert.match(String(more.label), /^Load (50|10) older…$/);
    await vscode.commands.executeCommand(more.command!.command, ...(more.command!.arguments ?? []));
    const all = (await children(big)).filter((n): n is MessageNode => /^message/.test(String(n.getTreeItem().contextValue)));
    assert.equal(all.length, 60);
    assert.equal(all[59].summary.subject, 'Bulk 1');
    assert.ok(!(await children(big)).some((n) => n.getTreeItem().contextValue === 'loadMore'));
  });

  it('shows an account whose server went away as offline, with the reason and a retry action', async () => {
    const doomed = await startDovecot();
    let id = '';
    try {
      id = (await vscode.commands.executeCommand('mailroom.addAccount', {
        name: 'Doomed', host: '127.0.0.1', port: doomed.port, security: 'none', user: 'alice', password: 'secret',
      })) as string;
      const find = async () => (await children()).find((a) => (a as AccountNode).accountId === id) as AccountNode | undefined;
      await until(async () => (await find())?.session.connectionState.kind === 'online', 10_000, 'the account to connect');
      await doomed.stop();
      const node = await until(async () => {
        const n = await find();
        return n && n.getTreeItem().contextValue === 'account+offline' && n;
      }, 10_000, 'the account to show offline');
      const item = node.getTreeItem();
      assert.match(String(item.description), /^offline/);
      assert.match(String(item.tooltip), /Offline: /);
      // The inline Retry action is bound to this context value in package.json.
      const retry = vscode.extensions.all.find((e) => e.packageJSON.name === 'mailroom')!.packageJSON.contributes.menus['view/item/context']
        .find((m: { command: string; group: string }) => m.command === 'mailroom.retryAccount' && m.group === 'inline');
      assert.ok(new RegExp(retry.when.match(/viewItem =~ \/(.*)\//)[1]).test('account+offline'));
    } finally {
      if (id) await vscode.commands.executeCommand('mailroom.removeAccount', id);
      await doomed.stop();
    }
  });

  it('says when an account from settings has no saved password, and offers to edit it', async () => {
    const config = vscode.workspace.getConfiguration('mailroom');
    const before = config.get<Record<string, unknown>[]>('accounts', []);
    const synced = { id: 'synced', name: 'Synced', host: '127.0.0.1', port: server.port, security: 'none', user: 'alice' };
    await config.update('accounts', [...before, synced], vscode.ConfigurationTarget.Global);
    try {
      const node = await until(async () => {
        const n = (await children()).find((a) => (a as AccountNode).accountId === 'synced') as AccountNode | undefined;
        return n && n.getTreeItem().contextValue === 'account+failed' && n;
      }, 10_000, 'the account to show its failure');
      assert.match(String(node.getTreeItem().tooltip), /No password is saved/);
      const notice = (await children(node))[0].getTreeItem();
      assert.equal(notice.command?.command, 'mailroom.editAccount');
    } finally {
      await config.update('accounts', before, vscode.ConfigurationTarget.Global);
    }
  });

  it('shows a message appended by another client within 2 s', async () => {
    await other.append('INBOX', simpleMessage('Appended by another client'));
    await until(async () => (await messages()).some((r) => r.summary.subject === 'Appended by another client'), LIVE_DEADLINE, 'the new message in the tree');
  });

  it('shows a flag set by another client within 2 s', async () => {
    const target = (await messages()).find((r) => r.summary.subject.startsWith('Crash when opening'))!;
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageFlagsAdd(String(target.summary.uid), ['\\Flagged'], { uid: true });
    } finally {
      lock.release();
    }
    await until(async () => {
      const row = (await messages()).find((r) => r.summary.uid === target.summary.uid);
      return row && /\+flagged/.test(String(row.getTreeItem().contextValue));
    }, LIVE_DEADLINE, 'the flag in the tree');
  });

  it('removes a message expunged by another client within 2 s', async () => {
    const target = (await messages()).find((r) => r.summary.subject === 'Appended by another client')!;
    const lock = await other.getMailboxLock('INBOX');
    try {
      await other.messageDelete(String(target.summary.uid), { uid: true });
    } finally {
      lock.release();
    }
    await until(async () => !(await messages()).some((r) => r.summary.uid === target.summary.uid), LIVE_DEADLINE, 'the message to leave the tree');
  });

  it('refuses an untrusted certificate with its fingerprint, then adds a second account that trusts it', async () => {
    const tlsAccount = { name: 'Pinned', host: '127.0.0.1', port: server.tlsPort, security: 'tls', user: 'alice', password: 'secret' };
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('mailroom.addAccount', tlsAccount)), (err: Error) => {
      assert.match(err.message, /not trusted/);
      assert.ok(err.message.includes(server.certFingerprint256!), `the fingerprint is in: ${err.message}`);
      return true;
    });
    const pinnedId = (await vscode.commands.executeCommand('mailroom.addAccount', { ...tlsAccount, trustedCertificate: server.certFingerprint256 })) as string;
    try {
      const accounts = await until(async () => {
        const nodes = (await children()) as AccountNode[];
        return nodes.length === 2 && nodes.every((n) => n.session.connectionState.kind === 'online') && nodes;
      }, 15_000, 'both accounts online');
      assert.deepEqual(accounts.map((n) => label(n)), ['Test Mail', 'Pinned']);
      const saved = vscode.workspace.getConfiguration('mailroom').get<Record<string, unknown>[]>('accounts', []);
      assert.equal(saved.find((a) => a.id === pinnedId)?.trustedCertificate, server.certFingerprint256);
    } finally {
      await vscode.commands.executeCommand('mailroom.removeAccount', pinnedId);
    }
  });

  it('removes the account and its password', async () => {
    const removedId = accountId;
    assert.match((await api.store.rawSecret(removedId)) ?? '', /"password":"secret"/, 'the password was in SecretStorage');
    assert.equal(await vscode.commands.executeCommand('mailroom.removeAccount', accountId), true);
    accountId = '';
    assert.equal(await api.store.rawSecret(removedId), undefined, 'the password is gone from SecretStorage');
    const saved = vscode.workspace.getConfiguration('mailroom').get<unknown[]>('accounts', []);
    assert.equal(saved.length, 0);
    assert.equal((await children()).length, 0);
  });
});
