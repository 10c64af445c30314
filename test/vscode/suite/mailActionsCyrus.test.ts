/**
 * Triage from VS Code against Cyrus IMAP 3.6, as Fastmail runs it: folders under INBOX with `.` as
 * the delimiter, the special folders (INBOX.Archive, INBOX.Trash) marked by RFC 6154, MOVE and
 * UIDPLUS, no NOTIFY. The commands as the menus and keys call them, each checked by a second IMAP
 * client (the server's truth, not the tree's): archive of a selection, mark read and unread and the
 * flag on mixed selections, Move to… through its pick, undo, a drop on a folder, delete to Trash and
 * for good in Trash once confirmed, a move the server refuses (said with Retry, the row back, done
 * on Retry), and Mark All as Read.
 *
 * Where a person would answer VS Code (the Move to… pick, the error's Retry), the test answers
 * through the window function the extension calls; the server is never stood in for.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ActionReceipt } from '../../../src/core';
import type { MailroomApi } from '../../../src/extension';
import { startCyrus, type CyrusServer } from '../../support/cyrus';
import { simpleMessage } from '../../support/fixtures';
import { withOtherClient } from '../../support/otherClient';
import { until } from '../../support/waitFor';
import { activateMailroom, addTestAccount, removeTestAccount } from './testAccount';
import { triageReads } from './triageReads';

const WORK = 'INBOX.Work';
const LISTS = 'INBOX.Lists';
const DOOMED = 'INBOX.Doomed';
const ARCHIVE = 'INBOX.Archive';
const TRASH = 'INBOX.Trash';

describe('Triage: actions on mail from VS Code, on Cyrus', function () {
  this.timeout(90_000);
  let server: CyrusServer;
  let api: MailroomApi;
  let id = '';

  before(async () => {
    // idled wakes IDLE at once; without it Cyrus tells an open folder's changes every 60 s only.
    server = await startCyrus({ idled: true });
    for (const path of [WORK, LISTS, DOOMED]) await server.createFolder('alice', path);
    for (let i = 1; i <= 8; i++) {
      await server.deliver('alice', WORK, simpleMessage(`W${i}`), i === 3 ? ['\\Seen'] : []);
    }
    api = await activateMailroom();
    id = await addTestAccount('Triage on Cyrus', server.port);
  });

  after(async () => {
    await removeTestAccount(id);
    await server?.stop();
  });

  const { session, folder, rows, row, onServer, subjects, done } = triageReads(() => ({ api, id, server }));
  const flagged = async (path: string) => [...(await onServer(path))].filter(([, flags]) => flags.includes('\\Flagged')).map(([subject]) => subject).sort();

  it('archives a selection of two rows with one command, to INBOX.Archive on the server', async () => {
    await until(() => session()?.connectionState.kind === 'online', 15_000, 'the account online');
    const [w8, w7] = [await row(WORK, 'W8'), await row(WORK, 'W7')];
    const receipts = await vscode.commands.executeCommand('mailroom.archive', w8, [w8, w7]);
    assert.equal((receipts as ActionReceipt[]).length, 1, 'one action for the one folder');
    assert.ok(!(await rows(WORK)).some((m) => ['W8', 'W7'].includes(m.summary.subject)), 'the rows leave at once');
    await done(receipts);
    assert.deepEqual(await subjects(ARCHIVE), ['W7', 'W8']);
    assert.deepEqual(await subjects(WORK), ['W1', 'W2', 'W3', 'W4', 'W5', 'W6']);
  });

  it('marks a selection of read and unread mail read, then unread, both on the server', async () => {
    const [w3, w4] = [await row(WORK, 'W3'), await row(WORK, 'W4')];
    assert.notEqual(w3.summary.flags.seen, w4.summary.flags.seen, 'a mixed selection');
    await done(await vscode.commands.executeCommand('mailroom.markRead', w3, [w3, w4]));
    let flags = await onServer(WORK);
    assert.ok(flags.get('W3')!.includes('\\Seen') && flags.get('W4')!.includes('\\Seen'), JSON.stringify([...flags]));
    await done(await vscode.commands.executeCommand('mailroom.markUnread', w4, [w3, w4]));
    flags = await onServer(WORK);
    assert.ok(!flags.get('W3')!.includes('\\Seen') && !flags.get('W4')!.includes('\\Seen'), JSON.stringify([...flags]));
  });

  it('flags a message, then s flags a selection of flagged and unflagged mail, and s again takes both flags off', async () => {
    const w4 = await row(WORK, 'W4');
    await done(await vscode.commands.executeCommand('mailroom.flag', w4, [w4]));
    assert.deepEqual(await flagged(WORK), ['W4']);
    const both = async () => [await row(WORK, 'W3'), await row(WORK, 'W4')];
    const toggle = async () => {
      const selection = await both();
      return done(await vscode.commands.executeCommand('mailroom.toggleFlag', selection[0], selection));
    };
    await toggle();
    assert.deepEqual(await flagged(WORK), ['W3', 'W4'], 'not every one was flagged: s flags them all');
    await until(async () => (await both()).every((m) => m.summary.flags.flagged), 10_000, 'both rows flagged in the tree');
    await toggle();
    assert.deepEqual(await flagged(WORK), [], 'every one was flagged: s takes the flags off');
  });

  it('moves a message to the folder chosen in Move to…, whose pick lists the folders under INBOX', async () => {
    const w2 = await row(WORK, 'W2');
    const offered: string[] = [];
    const receipts = await answering('showQuickPick', async (items: readonly (vscode.QuickPickItem & { path?: string })[]) => {
      offered.push(...items.flatMap((i) => (i.path ? [i.path] : [])));
      return items.find((i) => i.path === LISTS);
    }, () => vscode.commands.executeCommand('mailroom.moveTo', w2, [w2]));
    for (const path of [LISTS, ARCHIVE, TRASH, 'INBOX']) assert.ok(offered.includes(path), `${path} offered: ${offered.join(', ')}`);
    assert.ok(!offered.includes(WORK), 'not the folder the message is in');
    await done(receipts);
    assert.deepEqual(await subjects(LISTS), ['W2']);
    assert.ok(!(await subjects(WORK)).includes('W2'));
  });

  it('undoes the last action: an archived message comes back on the server', async () => {
    const w5 = await row(WORK, 'W5');
    await done(await vscode.commands.executeCommand('mailroom.archive', w5, [w5]));
    assert.ok((await subjects(ARCHIVE)).includes('W5'));
    await done(await vscode.commands.executeCommand('mailroom.undo'));
    assert.ok((await subjects(WORK)).includes('W5'), 'back in INBOX.Work');
    assert.ok(!(await subjects(ARCHIVE)).includes('W5'), 'gone from INBOX.Archive');
    await until(async () => (await rows(WORK)).some((m) => m.summary.subject === 'W5'), 10_000, 'the row back in the tree');
  });

  it('moves messages dropped on a folder of the tree there', async () => {
    const w1 = await row(WORK, 'W1');
    const data = new vscode.DataTransfer();
    api.dragAndDrop.handleDrag([w1], data);
    await api.dragAndDrop.handleDrop(await folder(LISTS), data);
    await until(async () => (await subjects(LISTS)).includes('W1'), 10_000, 'W1 in INBOX.Lists on the server');
    assert.ok(!(await subjects(WORK)).includes('W1'));
  });

  it('deletes to INBOX.Trash, and in Trash deletes for good only once confirmed', async () => {
    const w6 = await row(WORK, 'W6');
    await done(await vscode.commands.executeCommand('mailroom.delete', w6, [w6]));
    assert.deepEqual(await subjects(TRASH), ['W6']);
    assert.ok(!(await subjects(WORK)).includes('W6'));

    const inTrash = await until(async () => (await rows(TRASH)).find((m) => m.summary.subject === 'W6'), 15_000, 'W6 in Trash');
    // Unanswered (dialogs are refused in a test host), the confirmation keeps the message.
    assert.equal(await vscode.commands.executeCommand('mailroom.delete', inTrash, [inTrash]), undefined);
    assert.deepEqual(await subjects(TRASH), ['W6'], 'nothing deleted without a yes');
    await done(await vscode.commands.executeCommand('mailroom.delete', inTrash, [inTrash], { confirm: false }));
    assert.deepEqual(await subjects(TRASH), [], 'deleted for good');
  });

  it('says in plain words, with Retry, when the server refuses a move, puts the row back, and moves it on Retry', async () => {
    const w4 = await row(WORK, 'W4');
    const said: { message: string; items: string[]; answer: (choice: string | undefined) => void }[] = [];
    await answering('showErrorMessage', (message: string, ...items: string[]) =>
      new Promise<string | undefined>((answer) => said.push({ message, items, answer })),
    async () => {
      // The pick is open when another client deletes the folder chosen: the server will refuse the MOVE.
      const receipts = await answering('showQuickPick', async (items: readonly (vscode.QuickPickItem & { path?: string })[]) => {
        await withOtherClient(server, 'alice', (client) => client.mailboxDelete(DOOMED));
        return items.find((i) => i.path === DOOMED);
      }, () => vscode.commands.executeCommand('mailroom.moveTo', w4, [w4]));
      assert.equal((receipts as ActionReceipt[] | undefined)?.length, 1, 'the move taken');
      // The refusal may come before whenDone is asked, which then resolves: the message tells.
      await until(() => said.length > 0, 10_000, 'an error message');
    });
    assert.equal(said.length, 1, JSON.stringify(said.map((s) => s.message)));
    const [error] = said;
    assert.match(error.message, /^Mailroom: Could not move 1 message from Work to Doomed: the server refused \(it said: .+\)\. The messages are back where they were\.$/);
    assert.ok(error.items.includes('Retry'), `Retry offered: ${error.items.join(', ')}`);
    await until(async () => (await rows(WORK)).some((m) => m.summary.subject === 'W4'), 10_000, 'the row back in the tree');
    assert.ok((await subjects(WORK)).includes('W4'), 'still in INBOX.Work on the server');

    // The folder is made again elsewhere; Retry now moves the message there.
    await server.createFolder('alice', DOOMED);
    error.answer('Retry');
    await until(async () => (await subjects(DOOMED)).includes('W4'), 15_000, 'W4 in INBOX.Doomed on the server after Retry');
    assert.ok(!(await subjects(WORK)).includes('W4'));
    await until(async () => !(await rows(WORK)).some((m) => m.summary.subject === 'W4'), 10_000, 'the row gone from the tree');
  });

  it('marks a whole folder read from its menu, on the server', async () => {
    const before = await onServer(WORK);
    assert.ok([...before.values()].some((flags) => !flags.includes('\\Seen')), 'unread mail in INBOX.Work first');
    await done(await vscode.commands.executeCommand('mailroom.markAllRead', await folder(WORK)));
    const after = await onServer(WORK);
    assert.ok([...after.values()].every((flags) => flags.includes('\\Seen')), JSON.stringify([...after]));
  });
});

type Answerable = 'showQuickPick' | 'showErrorMessage';

/**
 * Runs `work` with VS Code's `window[name]` answered by `answer`, as a person would answer the pick
 * or the message; restored after, whatever happens. The extension shares this `vscode` object with
 * the tests that run from its folder, so it meets the answer.
 */
async function answering<T>(name: Answerable, answer: (...args: never[]) => unknown, work: () => Thenable<T> | Promise<T>): Promise<T> {
  const window = vscode.window as unknown as Record<Answerable, unknown>;
  const real = window[name];
  window[name] = answer;
  try {
    return await work();
  } finally {
    window[name] = real;
  }
}
