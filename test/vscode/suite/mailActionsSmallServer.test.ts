/**
 * Triage on a server that offers less: no SPECIAL-USE (so no Archive folder is known), no MOVE and
 * no UIDPLUS (so removing messages from a folder takes a bare EXPUNGE, which also removes what other
 * clients marked deleted). Mailroom asks both questions before anything changes; a test host refuses
 * dialogs, so an unanswered question must leave the server as it was; `{ roleFolder }` answers
 * the first and `{ confirm: false }` the second. Checked by a second IMAP client.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ActionReceipt } from '../../../src/core';
import type { MailroomApi } from '../../../src/extension';
import type { AccountNode } from '../../../src/tree/accountNode';
import type { FolderNode } from '../../../src/tree/folderNode';
import type { MessageNode } from '../../../src/tree/messageNode';
import type { TreeNode } from '../../../src/tree/treeNode';
import { startDovecot, type DovecotServer } from '../../support/dovecot';
import { simpleMessage } from '../../support/fixtures';
import { withOtherClient } from '../../support/otherClient';
import { until } from '../../support/waitFor';
import { folderRows } from './folderRows';
import { activateMailroom, addTestAccount, removeTestAccount } from './testAccount';

describe('Triage on a server without SPECIAL-USE, MOVE or UIDPLUS', function () {
  this.timeout(90_000);
  let server: DovecotServer;
  let api: MailroomApi;
  let id = '';

  before(async () => {
    server = await startDovecot({ specialUse: false, capabilities: 'IMAP4rev1 LITERAL+ IDLE NAMESPACE CHILDREN SORT' });
    await server.createFolder('alice', 'Work');
    await server.createFolder('alice', 'Kept');
    for (let i = 1; i <= 3; i++) await server.deliver('alice', 'Work', simpleMessage(`S${i}`));
    api = await activateMailroom();
    id = await addTestAccount('Small', server.port);
  });

  after(async () => {
    await removeTestAccount(id);
    await server?.stop();
  });

  const account = async () => ((await api.tree.getChildren()) as TreeNode[]).find((n) => (n as AccountNode).accountId === id) as AccountNode | undefined;
  const folder = (path: string) =>
    until(async () => (((await (await account())?.getChildren()) ?? []) as FolderNode[]).find((f) => f.path === path), 15_000, `the folder ${path}`);
  const row = async (subject: string) => {
    const rows = (await folderRows(await folder('Work'))).filter((n): n is MessageNode => /^message/.test(String(n.getTreeItem().contextValue)));
    const found = rows.find((m) => m.summary.subject === subject);
    assert.ok(found, `a row "${subject}"`);
    return found;
  };
  const subjects = (path: string) =>
    withOtherClient(server, 'alice', async (client) => {
      await client.mailboxOpen(path, { readOnly: true });
      const out: string[] = [];
      for await (const m of client.fetch('1:*', { envelope: true })) out.push(m.envelope?.subject ?? '');
      return out.sort();
    }).catch(() => [] as string[]);

  it('asks which folder is Archive when there is none, and leaves the mail alone unanswered', async () => {
    await until(() => api.sessions.get(id)?.connectionState.kind === 'online', 15_000, 'the account online');
    const s3 = await row('S3');
    assert.equal(await vscode.commands.executeCommand('mailroom.archive', s3, [s3]), undefined);
    assert.deepEqual(await subjects('Work'), ['S1', 'S2', 'S3']);
    assert.ok(!api.sessions.get(id)!.folders.some((f) => f.specialUse === 'archive'), 'no folder made Archive without asking');
    assert.ok((await folderRows(await folder('Work'))).some((n) => (n as MessageNode).summary?.subject === 'S3'), 'the row stays');
  });

  it('asks before an EXPUNGE that would take other clients\' deleted mail too, and archives once answered', async () => {
    const s3 = await row('S3');
    // The first question answered (Kept is Archive), the second not.
    assert.equal(await vscode.commands.executeCommand('mailroom.archive', s3, [s3], { roleFolder: 'Kept' }), undefined, 'unanswered: nothing done');
    assert.equal(api.sessions.get(id)!.folders.find((f) => f.path === 'Kept')?.specialUse, 'archive', 'Kept is Archive from now on');
    assert.deepEqual(await subjects('Work'), ['S1', 'S2', 'S3']);
    const receipts = (await vscode.commands.executeCommand('mailroom.archive', s3, [s3], { confirm: false })) as ActionReceipt[];
    await Promise.all(receipts.map((r) => api.sessions.get(id)!.whenDone(r.id)));
    assert.deepEqual(await subjects('Work'), ['S1', 'S2']);
    assert.deepEqual(await subjects('Kept'), ['S3']);
  });

  it('makes the Junk folder it was told to use when there is none, and marks as junk into it', async () => {
    const s2 = await row('S2');
    const receipts = (await vscode.commands.executeCommand('mailroom.markJunk', s2, [s2], { roleFolder: 'Junk', confirm: false })) as ActionReceipt[];
    assert.ok(receipts?.length, 'marked as junk');
    await Promise.all(receipts.map((r) => api.sessions.get(id)!.whenDone(r.id)));
    assert.deepEqual(await subjects('Junk'), ['S2']);
    assert.deepEqual(await subjects('Work'), ['S1']);
    assert.equal(api.sessions.get(id)!.folders.find((f) => f.path === 'Junk')?.specialUse, 'junk');
  });
});
