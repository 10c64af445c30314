/**
 * Where a saved password may go, inside a real VS Code: a workspace's settings cannot redirect an
 * account, a server changed in user settings gets no password until the user gives one, and plain
 * text goes only to this machine unless the user confirmed it in Mailroom. A recorder listening where
 * the settings point proves that nothing, not even a connection, reached it.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MailroomApi } from '../../../src/extension';
import type { AccountNode } from '../../../src/tree/accountNode';
import type { TreeNode } from '../../../src/tree/treeNode';
import { startDovecot, type DovecotServer } from '../../support/dovecot';
import { startLoginRecorder, type LoginRecorder } from '../../support/loginRecorder';
import { until } from '../../support/waitFor';

interface StoredAccount {
  id: string;
  name: string;
  host: string;
  port: number;
  security: string;
  user: string;
}

describe('Where a saved password may go', function () {
  this.timeout(60_000);
  let server: DovecotServer;
  let recorder: LoginRecorder;
  let api: MailroomApi;
  let id = '';
  const mailroom = () => vscode.workspace.getConfiguration('mailroom');
  const userAccounts = () => (mailroom().inspect<StoredAccount[]>('accounts')?.globalValue ?? []) as StoredAccount[];
  const workspaceSettings = () => vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, '.vscode', 'settings.json');

  before(async () => {
    server = await startDovecot();
    recorder = await startLoginRecorder();
    const extension = vscode.extensions.all.find((e) => e.packageJSON.name === 'mailroom');
    assert.ok(extension, 'the Mailroom extension is loaded');
    api = (await extension.activate()) as MailroomApi;
    id = (await vscode.commands.executeCommand('mailroom.addAccount', {
      name: 'Work', host: '127.0.0.1', port: server.port, security: 'none', user: 'alice', password: 'secret',
    })) as string;
    await until(() => node(id).then((n) => n?.session.connectionState.kind === 'online'), 15_000, 'the account to connect');
  });

  after(async () => {
    await vscode.workspace.fs.delete(workspaceSettings()).then(undefined, () => undefined);
    for (const account of userAccounts()) {
      await vscode.commands.executeCommand('mailroom.removeAccount', account.id).then(undefined, () => undefined);
    }
    await recorder?.stop();
    await server?.stop();
  });

  async function node(accountId: string): Promise<AccountNode | undefined> {
    const roots = ((await api.tree.getChildren()) ?? []) as TreeNode[];
    return roots.find((n) => (n as AccountNode).accountId === accountId) as AccountNode | undefined;
  }

  /** Waits for the account to stop with a failure, and returns it. */
  async function failure(accountId: string) {
    return until(async () => {
      const state = (await node(accountId))?.session.connectionState;
      return state?.kind === 'failed' && state.error;
    }, 10_000, `${accountId} to show why it does not connect`);
  }

  it('declares the accounts setting for user settings only, and supports untrusted and virtual workspaces', () => {
    const pkg = vscode.extensions.all.find((e) => e.packageJSON.name === 'mailroom')!.packageJSON;
    assert.equal(pkg.contributes.configuration.properties['mailroom.accounts'].scope, 'application');
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, true);
    assert.equal(pkg.capabilities.virtualWorkspaces, true);
  });

  it('ignores a workspace .vscode/settings.json that redirects a saved account to another server', async () => {
    const redirect = userAccounts().map((a) => ({ ...a, port: recorder.port, security: 'none' }));
    assert.equal(redirect.length, 1);
    // A window-scoped setting in the same file tells when VS Code has read it.
    const content = { 'mailroom.accounts': redirect, 'mailroom.pollInterval': 77 };
    await vscode.workspace.fs.writeFile(workspaceSettings(), Buffer.from(JSON.stringify(content, null, 2)));
    try {
      await until(() => mailroom().get('pollInterval') === 77, 15_000, 'VS Code to read the workspace settings');
      // Whatever the settings change started has run once the registry syncs again; a reconnect
      // then goes wherever the session believes the account lives.
      await api.sessions.sync();
      await vscode.commands.executeCommand('mailroom.retryAccount', id);
      const session = (await node(id))!.session;
      assert.equal(session.connectionState.kind, 'online');
      assert.equal(session.account.port, server.port);
      assert.equal(recorder.connections, 0, `nothing may reach the workspace's server; it was sent: ${recorder.lines.join(' | ')}`);
      // The user's own account still works.
      const page = await session.openFolder('INBOX');
      assert.equal(page.folder, 'INBOX');
    } finally {
      await vscode.workspace.fs.delete(workspaceSettings());
      await until(() => mailroom().get('pollInterval') === 60, 15_000, 'the workspace settings to be gone');
    }
  });

  it('asks for the password again when the server is changed in user settings, and sends it nowhere', async () => {
    const original = userAccounts();
    await mailroom().update('accounts', original.map((a) => ({ ...a, port: recorder.port })), vscode.ConfigurationTarget.Global);
    try {
      const error = await failure(id);
      assert.equal(error.code, 'password-needed');
      assert.match(error.message, new RegExp(`^The server for Work changed to alice on 127\\.0\\.0\\.1:${recorder.port} .*: enter the password to use there`));
      const account = (await node(id))!;
      assert.equal(account.getTreeItem().description, 'password needed');
      const notice = ((await api.tree.getChildren(account)) ?? [])[0] as TreeNode;
      assert.equal(notice.getTreeItem().command?.command, 'mailroom.editAccount', 'the way forward is Edit Account');
      assert.equal(recorder.connections, 0, `the old password must not be sent: ${recorder.lines.join(' | ')}`);
    } finally {
      await mailroom().update('accounts', original, vscode.ConfigurationTarget.Global);
    }
    // Back on the server the password was given for, it is used again.
    await until(() => node(id).then((n) => n?.session.connectionState.kind === 'online'), 15_000, 'the account to reconnect');
  });

  it('will not move a saved password to another server through Edit Account until it is entered again', async () => {
    const moved = { id, name: 'Work', host: 'localhost', port: server.port, security: 'none', user: 'alice' };
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('mailroom.editAccount', moved)), /pass the password to use there/);
    assert.equal(userAccounts()[0].host, '127.0.0.1', 'nothing was saved');
    await vscode.commands.executeCommand('mailroom.editAccount', { ...moved, password: 'secret' });
    await until(() => node(id).then((n) => n?.session.connectionState.kind === 'online' && n.session.account.host === 'localhost'), 15_000, 'the moved account to connect');
    const secret = JSON.parse((await api.store.rawSecret(id)) ?? '{}');
    assert.equal(secret.server?.host, 'localhost', 'the password is now bound to the server it was given for');
    assert.ok(!JSON.stringify(userAccounts()).includes('secret'), 'no password in settings');
  });

  it('refuses a settings-only account with no encryption to a host elsewhere, in plain words', async () => {
    // Not "this machine" by name, yet it routes to the recorder: a connection would be seen there.
    const remote = { id: 'plain-remote', name: 'Plain', host: '::ffff:127.0.0.1', port: recorder.port, security: 'none', user: 'alice' };
    // Even with a password saved for it (as from before passwords were bound to servers).
    await api.store.seedPassword(remote.id, 'secret');
    await mailroom().update('accounts', [...userAccounts(), remote], vscode.ConfigurationTarget.Global);
    const error = await failure(remote.id);
    assert.equal(error.code, 'insecure');
    assert.match(error.message, /will not send the password for Plain in clear text to ::ffff:127\.0\.0\.1.*Edit Account/);
    assert.equal((await node(remote.id))!.getTreeItem().description, 'not encrypted: refused');
    // A retry does not get round it.
    await vscode.commands.executeCommand('mailroom.retryAccount', remote.id);
    assert.equal(recorder.connections, 0, `nothing may be sent in clear text: ${recorder.lines.join(' | ')}`);
  });
});
