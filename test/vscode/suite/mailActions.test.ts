/**
 * Triage from VS Code against a real Dovecot: the commands as the menus, keys and the message tab's
 * toolbar call them, checked by a second IMAP client (the server's truth, not the tree's). Archive
 * of a selection, mark read and unread on a mixed selection, Move to… with the folder given, undo,
 * a drop on a folder, j in the tree, delete to Trash and for good (asked first; a script answers
 * with `{ confirm: false }`), the open message moving on after Archive, Mark All as Read, and a
 * message tab closing with its account.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ActionReceipt } from '../../../src/core';
import type { MailroomApi } from '../../../src/extension';
import { startDovecot, type DovecotServer } from '../../support/dovecot';
import { simpleMessage } from '../../support/fixtures';
import { until } from '../../support/waitFor';
import { activateMailroom, addTestAccount, removeTestAccount } from './testAccount';
import { triageReads } from './triageReads';

describe('Triage: actions on mail from VS Code', function () {
  this.timeout(90_000);
  let server: DovecotServer;
  let api: MailroomApi;
  let id = '';

  before(async () => {
    server = await startDovecot();
    await server.createFolder('alice', 'Work');
    await server.createFolder('alice', 'Lists');
    for (let i = 1; i <= 8; i++) {
      await server.deliver('alice', 'Work', simpleMessage(`W${i}`), i === 3 ? ['\\Seen'] : []);
    }
    api = await activateMailroom();
    id = await addTestAccount('Triage', server.port);
  });

  after(async () => {
    await removeTestAccount(id);
    await server?.stop();
  });

  const { session, folder, rows, row, onServer, subjects, done } = triageReads(() => ({ api, id, server }));
  /** Resolves when a message tab has rendered message `uid`; fails after 10 s rather than at the suite's timeout. */
  const rendered = (uid: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => (sub.dispose(), reject(new Error(`message ${uid} never rendered`))), 10_000);
      const sub = api.panels.onDidRender((info) => {
        if (info.lastRendered?.uid === uid) {
          clearTimeout(timer);
          sub.dispose();
          resolve();
        }
      });
    });

  it('archives a selection of two rows with one command, to the server\'s Archive', async () => {
    await until(() => session()?.connectionState.kind === 'online', 15_000, 'the account online');
    const [w8, w7] = [await row('Work', 'W8'), await row('Work', 'W7')];
    const receipts = await vscode.commands.executeCommand('mailroom.archive', w8, [w8, w7]);
    assert.equal((receipts as ActionReceipt[]).length, 1, 'one action for the one folder');
    assert.ok(!(await rows('Work')).some((m) => ['W8', 'W7'].includes(m.summary.subject)), 'the rows leave at once');
    await done(receipts);
    assert.deepEqual(await subjects('Archive'), ['W7', 'W8']);
    assert.deepEqual(await subjects('Work'), ['W1', 'W2', 'W3', 'W4', 'W5', 'W6']);
  });

  it('marks a selection of read and unread mail read, then unread, both on the server', async () => {
    const [w3, w4] = [await row('Work', 'W3'), await row('Work', 'W4')];
    assert.notEqual(w3.summary.flags.seen, w4.summary.flags.seen, 'a mixed selection');
    await done(await vscode.commands.executeCommand('mailroom.markRead', w3, [w3, w4]));
    let flags = await onServer('Work');
    assert.ok(flags.get('W3')!.includes('\\Seen') && flags.get('W4')!.includes('\\Seen'), JSON.stringify([...flags]));
    await done(await vscode.commands.executeCommand('mailroom.markUnread', w4, [w3, w4]));
    flags = await onServer('Work');
    assert.ok(!flags.get('W3')!.includes('\\Seen') && !flags.get('W4')!.includes('\\Seen'), JSON.stringify([...flags]));
  });

  it('moves a message to the folder given to Move to…', async () => {
    const w2 = await row('Work', 'W2');
    await done(await vscode.commands.executeCommand('mailroom.moveTo', w2, [w2], { folder: 'Lists' }));
    assert.deepEqual(await subjects('Lists'), ['W2']);
    assert.ok(!(await subjects('Work')).includes('W2'));
  });

  it('undoes the last action: an archived message comes back on the server', async () => {
    const w5 = await row('Work', 'W5');
    await done(await vscode.commands.executeCommand('mailroom.archive', w5, [w5]));
    assert.ok((await subjects('Archive')).includes('W5'));
    await done(await vscode.commands.executeCommand('mailroom.undo'));
    assert.ok((await subjects('Work')).includes('W5'), 'back in Work');
    assert.ok(!(await subjects('Archive')).includes('W5'), 'gone from Archive');
    await until(async () => (await rows('Work')).some((m) => m.summary.subject === 'W5'), 10_000, 'the row back in the tree');
  });

  it('moves messages dropped on a folder of the tree there', async () => {
    const w1 = await row('Work', 'W1');
    const data = new vscode.DataTransfer();
    api.dragAndDrop.handleDrag([w1], data);
    await api.dragAndDrop.handleDrop(await folder('Lists'), data);
    await until(async () => (await subjects('Lists')).includes('W1'), 10_000, 'W1 in Lists on the server');
    assert.ok(!(await subjects('Work')).includes('W1'));
  });

  it('j in the tree selects the next row and shows it in the preview tab', async () => {
    // The tree's order, newest first: W5 came back from Archive under a new UID, so it is the top row.
    const shown = await rows('Work');
    const [w5, next] = shown;
    assert.equal(w5.summary.subject, 'W5');
    await vscode.commands.executeCommand('workbench.view.extension.mailroom');
    await api.view.reveal(w5, { select: true, focus: true });
    await until(() => api.view.selection[0] === w5, 5_000, 'W5 selected');
    const preview = rendered(next.summary.uid);
    await vscode.commands.executeCommand('mailroom.nextMessage', 'tree');
    await preview;
    assert.deepEqual(api.view.selection, [next]);
    assert.equal(api.panels.activePanels().filter((p) => !p.pinned).length, 1);
  });

  it('deletes to Trash, and in Trash deletes for good only once confirmed', async () => {
    const w6 = await row('Work', 'W6');
    await done(await vscode.commands.executeCommand('mailroom.delete', w6, [w6]));
    assert.deepEqual(await subjects('Trash'), ['W6']);
    assert.ok(!(await subjects('Work')).includes('W6'));

    const inTrash = await until(async () => (await rows('Trash')).find((m) => m.summary.subject === 'W6'), 15_000, 'W6 in Trash');
    // Unanswered (dialogs are refused in a test host), the confirmation keeps the message.
    const refused = await vscode.commands.executeCommand('mailroom.delete', inTrash, [inTrash]);
    assert.equal(refused, undefined);
    assert.deepEqual(await subjects('Trash'), ['W6'], 'nothing deleted without a yes');
    await done(await vscode.commands.executeCommand('mailroom.delete', inTrash, [inTrash], { confirm: false }));
    assert.deepEqual(await subjects('Trash'), [], 'deleted for good');
  });

  it('moves the open message on to the next one after Archive from its tab', async () => {
    const w4 = await row('Work', 'W4');
    const next = await row('Work', 'W3');
    // The preview tab may show W4 already (it moved on when W6 went to Trash): start from no tab.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await until(() => api.panels.activePanels().length === 0, 5_000, 'no message tab');
    const first = rendered(w4.summary.uid);
    await vscode.commands.executeCommand('mailroom.openMessageInNewTab', w4);
    await first;
    const second = rendered(next.summary.uid);
    await done(await vscode.commands.executeCommand('mailroom.archive', 'panel'));
    await second;
    const tabs = api.panels.activePanels().filter((p) => p.pinned);
    assert.equal(tabs.length, 1, 'the same tab');
    assert.match(tabs[0].key, new RegExp(`:${next.summary.uid}$`));
    assert.ok((await subjects('Archive')).includes('W4'));
  });

  it('marks a whole folder read from its menu, on the server', async () => {
    const before = await onServer('Work');
    assert.ok([...before.values()].some((flags) => !flags.includes('\\Seen')), 'unread mail in Work first');
    await done(await vscode.commands.executeCommand('mailroom.markAllRead', await folder('Work')));
    const after = await onServer('Work');
    assert.ok([...after.values()].every((flags) => flags.includes('\\Seen')), JSON.stringify([...after]));
  });

  it('closes a message tab when its account is removed', async () => {
    assert.ok(api.panels.activePanels().length >= 1);
    await vscode.commands.executeCommand('mailroom.removeAccount', id);
    id = '';
    await until(() => api.panels.activePanels().length === 0, 10_000, 'the tab to close');
  });
});
