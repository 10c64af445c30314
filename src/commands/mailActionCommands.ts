/**
 * What the user does to mail, from a row, a selection, a key or the open message: mark read or
 * unread, flag, archive, delete, move, junk, mark a folder read, undo. Each command works out its
 * messages (mailSelection.ts), hands each folder's share to core in one call (actionFlow.ts asks
 * core's questions and offers Undo), then moves on: the tree's selection to the next row, the open
 * message to the next message, as mail clients do after a message leaves the list.
 *
 * Commands take `(node, selectedNodes, args)`; scripts and tests pass `args` such as
 * `{ confirm: false }` (answer yes to the confirmation), `{ roleFolder: 'Kept' }` (the Archive folder
 * where the account has none) or `{ folder: 'Lists' }` (Move to…).
 */
import * as vscode from 'vscode';
import type { SessionRegistry } from '../accounts/sessionRegistry';
import { type AccountSession, type ActionReceipt, MailError, type MoveOptions, type SystemFlag } from '../core';
import { ActionFlow, type ActionArgs } from './actionFlow';
import { countOf, type FolderGroup, type MailSelection, type Selection } from './mailSelection';
import type { MessageNavigation } from './messageNavigation';
import type { MoveTargets } from './moveTargetPicker';

export interface MoveArgs extends ActionArgs {
  /** The target folder's path: no quick pick. */
  folder?: string;
}

type Remove = (session: AccountSession, group: FolderGroup, options: MoveOptions) => ActionReceipt;

export class MailActionCommands {
  constructor(
    private readonly sessions: SessionRegistry,
    private readonly selection: MailSelection,
    private readonly flow: ActionFlow,
    private readonly navigation: MessageNavigation,
    private readonly targets: MoveTargets,
  ) {}

  register(): vscode.Disposable[] {
    const on = (id: string, run: (first: unknown, all: unknown, args?: never) => Promise<unknown>) =>
      vscode.commands.registerCommand(id, (first?: unknown, all?: unknown, args?: never) => guard(run(first, all, args)));
    const flag = (flag: SystemFlag, on: boolean) => (first: unknown, all: unknown) => this.setFlag(this.selection.resolve(first, all), flag, on);
    return [
      on('mailroom.markRead', flag('\\Seen', true)),
      on('mailroom.markUnread', flag('\\Seen', false)),
      on('mailroom.flag', flag('\\Flagged', true)),
      on('mailroom.unflag', flag('\\Flagged', false)),
      on('mailroom.toggleFlag', (first, all) => this.toggleFlag(this.selection.resolve(first, all))),
      on('mailroom.archive', (first, all, args?: ActionArgs) => this.remove(this.selection.resolve(first, all), (s, g, o) => s.archive(g.folder, g.uids, o), args)),
      on('mailroom.markJunk', (first, all, args?: ActionArgs) => this.remove(this.selection.resolve(first, all), (s, g, o) => s.markJunk(g.folder, g.uids, o), args)),
      on('mailroom.delete', (first, all, args?: ActionArgs) => this.delete(this.selection.resolve(first, all), args)),
      on('mailroom.moveTo', (first, all, args?: MoveArgs) => this.moveTo(this.selection.resolve(first, all), args)),
      on('mailroom.markAllRead', (first) => this.markAllRead(first)),
      on('mailroom.undo', () => this.flow.undoLast()),
    ];
  }

  /** Moves messages of one account to `target` (the tree's drag and drop comes here too). */
  moveMessages(selection: Selection, target: string, args: ActionArgs = {}): Promise<ActionReceipt[] | undefined> {
    const groups = selection.groups.filter((g) => g.folder !== target);
    return this.remove({ ...selection, groups }, (s, g, o) => s.moveMessages(g.folder, g.uids, target, o), args);
  }

  private setFlag(selection: Selection, flag: SystemFlag, on: boolean): Promise<ActionReceipt[] | undefined> {
    return this.flow.run(selection.groups, (s, g) => s.setFlags(g.folder, g.uids, flag, on));
  }

  /** s: flags them all, unless every one is flagged already. */
  private toggleFlag(selection: Selection): Promise<ActionReceipt[] | undefined> {
    const flagged = selection.groups.every((g) => {
      const shown = this.sessions.get(g.accountId)?.loadedMessages(g.folder)?.messages ?? g.summaries;
      return g.uids.every((uid) => shown.find((m) => m.uid === uid)?.flags.flagged);
    });
    return this.setFlag(selection, '\\Flagged', !flagged);
  }

  private async delete(selection: Selection, args: ActionArgs = {}): Promise<ActionReceipt[] | undefined> {
    const forGood = selection.groups.filter((g) => this.sessions.get(g.accountId)?.deletesForGood(g.folder));
    if (forGood.length && args.confirm !== false) {
      const count = countOf(forGood);
      const where = forGood.every((g) => this.sessions.get(g.accountId)?.folder(g.folder)?.specialUse === 'trash') ? 'They are in Trash.' : 'This account has no Trash folder.';
      const choice = await vscode.window.showWarningMessage(
        `Delete ${count} message${count === 1 ? '' : 's'} for good?`,
        { modal: true, detail: `${where} Deleted for good, they cannot be brought back. Other messages in the folder are not touched.` },
        'Delete for Good',
      );
      if (choice !== 'Delete for Good') return undefined;
    }
    return this.remove(selection, (s, g, o) => s.deleteMessages(g.folder, g.uids, { ...o, forGood: s.deletesForGood(g.folder) }), args);
  }

  private async moveTo(selection: Selection, args: MoveArgs = {}): Promise<ActionReceipt[] | undefined> {
    const accounts = new Set(selection.groups.map((g) => g.accountId));
    if (accounts.size > 1) throw new Error('Move messages of one account at a time.');
    const [accountId] = accounts;
    const session = accountId === undefined ? undefined : this.sessions.get(accountId);
    if (!session) return undefined;
    const target = args.folder ?? (await this.targets.pick(session, selection.groups.map((g) => g.folder), countOf(selection.groups)));
    if (!target) return undefined;
    await this.targets.remember(session.account.id, target);
    return this.moveMessages(selection, target, args);
  }

  private async markAllRead(first: unknown): Promise<ActionReceipt[] | undefined> {
    const folder = this.selection.folder(first);
    if (!folder) return undefined;
    return this.flow.run([{ ...folder, uids: [], summaries: [] }], (s, g) => s.markAllRead(g.folder));
  }

  /**
   * Messages leave their folder: the next row is chosen first (the rows go at once), then the tree's
   * selection or the open message moves on to it.
   */
  private async remove(selection: Selection, act: Remove, args: ActionArgs = {}): Promise<ActionReceipt[] | undefined> {
    if (!selection.groups.length) return undefined;
    const [first] = selection.groups;
    const next = this.navigation.successor(first.accountId, first.folder, first.uids);
    const receipts = await this.flow.run(selection.groups, act, args);
    if (!receipts || !next) {
      if (receipts && selection.panel) selection.panel.dispose();
      return receipts;
    }
    if (selection.panel && selection.panelRef) {
      await this.navigation.showIn(selection.panel, selection.panelRef, next);
    } else {
      await this.navigation.selectAfterRemoval(first.accountId, first.folder, first.uids, next);
    }
    return receipts;
  }
}

/** A command that fails says what went wrong in plain words, never an unhandled rejection; tests still get the value. */
async function guard<T>(work: Promise<T>): Promise<T | undefined> {
  try {
    return await work;
  } catch (err) {
    const message = err instanceof MailError ? err.info.message : (err as Error).message;
    void vscode.window.showErrorMessage(`Mailroom: ${message}`, 'Show Log').then((choice) => {
      if (choice) void vscode.commands.executeCommand('mailroom.showLog');
    });
    return undefined;
  }
}
