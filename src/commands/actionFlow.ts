/**
 * Carries out one user action over its folder groups and talks with the user about it: core's
 * questions (no Archive folder; a server without UIDPLUS whose EXPUNGE would take other clients'
 * deleted mail too) are asked once for the whole action, the result is said in a notification with
 * Undo, and a task the server later refuses is said with Retry. Core does the mail work; this file
 * holds only the conversation.
 */
import * as vscode from 'vscode';
import type { FolderRoles } from '../accounts/folderRoles';
import type { SessionRegistry } from '../accounts/sessionRegistry';
import { ActionNeedsConfirmation, type AccountSession, type ActionFailure, type ActionReceipt, type MoveOptions, NoFolderForRole, type SpecialUse } from '../core';
import { allFolders } from './moveTargetPicker';
import type { FolderGroup } from './mailSelection';

/** What scripts and tests pass instead of answering dialogs: `{ confirm: false }` answers yes. */
export interface ActionArgs {
  confirm?: boolean;
  /** Answers "which folder is Archive (or Junk)?" where the account has none: a path, made if missing. */
  roleFolder?: string;
}

/** One action taken, over one or more folders: what Undo takes back. */
interface Taken {
  receipts: { accountId: string; receipt: ActionReceipt }[];
}

/** Undo reaches back this many actions (core keeps each undoable for 5 minutes). */
const HISTORY = 20;

export class ActionFlow implements vscode.Disposable {
  private readonly history: Taken[] = [];
  /** Retry of a refused task, by account and task id. */
  private readonly retries = new Map<string, () => Promise<unknown>>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly roles: FolderRoles,
  ) {
    for (const session of sessions.all()) this.watch(session);
    this.subscriptions.push(sessions.onDidCreateSession((session) => this.watch(session)));
  }

  /**
   * Runs `act` on each group (one core call per folder). Asks core's questions once for all groups;
   * returns the receipts, or undefined when the user said no.
   */
  async run(
    groups: readonly FolderGroup[],
    act: (session: AccountSession, group: FolderGroup, options: MoveOptions) => ActionReceipt,
    args: ActionArgs = {},
  ): Promise<ActionReceipt[] | undefined> {
    const taken: Taken = { receipts: [] };
    const options: MoveOptions = {};
    for (const group of groups) {
      const session = this.sessions.get(group.accountId);
      if (!session) continue;
      const receipt = await this.answering(session, group, options, args, (o) => act(session, group, o));
      if (!receipt) break;
      taken.receipts.push({ accountId: group.accountId, receipt });
      // Retry does that folder's part again; the user answered core's questions the first time.
      this.retries.set(`${group.accountId}:${receipt.id}`, () => this.run([group], act, { ...args, confirm: false }));
    }
    this.trimRetries();
    if (!taken.receipts.length) return undefined;
    this.history.push(taken);
    if (this.history.length > HISTORY) this.history.shift();
    this.announce(taken);
    return taken.receipts.map((r) => r.receipt);
  }

  /** Undoes the last action (each of its folders), or says there is none. */
  async undoLast(): Promise<ActionReceipt[]> {
    const last = this.history.pop();
    if (!last) {
      void vscode.window.showInformationMessage('Mailroom: nothing to undo.');
      return [];
    }
    return this.undo(last);
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
  }

  private async undo(taken: Taken): Promise<ActionReceipt[]> {
    const index = this.history.indexOf(taken);
    if (index >= 0) this.history.splice(index, 1);
    const undone: ActionReceipt[] = [];
    for (const { accountId, receipt } of [...taken.receipts].reverse()) {
      if (!receipt.undoable) continue;
      const back = await this.sessions.get(accountId)?.undo(receipt.id);
      if (back) undone.push(back);
    }
    if (undone.length) vscode.window.setStatusBarMessage(`Mailroom: undone: ${taken.receipts.map((r) => r.receipt.description).join('; ')}`, 5_000);
    return undone;
  }

  /** Calls `act`, answering ActionNeedsConfirmation and NoFolderForRole with the user, at most once each. */
  private async answering(
    session: AccountSession,
    group: FolderGroup,
    options: MoveOptions,
    args: ActionArgs,
    act: (options: MoveOptions) => ActionReceipt,
  ): Promise<ActionReceipt | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return act(options);
      } catch (err) {
        if (err instanceof ActionNeedsConfirmation && err.reason === 'bare-expunge' && !options.allowBareExpunge) {
          if (args.confirm !== false && !(await askBareExpunge(group))) return undefined;
          options.allowBareExpunge = true;
        } else if (err instanceof NoFolderForRole && attempt === 0) {
          if (!(await this.chooseRoleFolder(session, err.role, args.roleFolder))) return undefined;
        } else {
          throw err;
        }
      }
    }
    return undefined;
  }

  /**
   * No folder has the role: the user creates one of that name ("Archive") or picks one; either way
   * it becomes that role (as Set Folder Role would), so the question comes once per account.
   * Scripts answer with `given`, a path, made first if the account has no such folder.
   */
  private async chooseRoleFolder(session: AccountSession, role: SpecialUse, given?: string): Promise<boolean> {
    const name = role[0].toUpperCase() + role.slice(1);
    let path = given;
    if (path !== undefined && !session.folder(path)) path = await session.createFolder(undefined, path);
    if (path === undefined) {
      const create = `Create "${name}"`;
      const choice = await vscode.window.showWarningMessage(
        `${session.account.name} has no ${name} folder.`,
        { modal: true, detail: `Create one named "${name}", or choose a folder to use as ${name}. Mailroom remembers it for this account (Set Folder Role changes it).` },
        create,
        'Choose a Folder…',
      );
      if (choice === create) path = await session.createFolder(undefined, name);
      else if (choice === 'Choose a Folder…') path = await this.pickFolder(session, name);
    }
    if (path === undefined) return false;
    session.setFolderRoles(await this.roles.choose(session.account.id, path, role));
    return true;
  }

  private async pickFolder(session: AccountSession, name: string): Promise<string | undefined> {
    const folders = (await allFolders(session)).filter((f) => f.path.toUpperCase() !== 'INBOX');
    const picked = await vscode.window.showQuickPick(
      folders.map((f) => ({ label: f.path, description: f.specialUse, path: f.path })),
      { title: `Which folder is ${name}?`, placeHolder: 'Type to filter the folders' },
    );
    return picked?.path;
  }

  private announce(taken: Taken): void {
    const text = sentence(taken.receipts.map((r) => r.receipt.description).join('; '));
    const undoable = taken.receipts.some((r) => r.receipt.undoable);
    // Not modal and not awaited: the notification fades while the user goes on.
    void vscode.window.showInformationMessage(text, ...(undoable ? ['Undo'] : [])).then((choice) => {
      if (choice === 'Undo') void this.undo(taken).catch((err: Error) => void vscode.window.showErrorMessage(`Mailroom: ${err.message}`));
    });
  }

  private watch(session: AccountSession): void {
    this.subscriptions.push(session.onDidFailAction((failure) => this.refused(session, failure)));
  }

  /** The server refused a task for good; core took it back. Say so, with Retry where doing it again may help. */
  private refused(session: AccountSession, failure: ActionFailure): void {
    const key = `${session.account.id}:${failure.id}`;
    const retry = this.retries.get(key);
    this.retries.delete(key);
    void vscode.window.showErrorMessage(`Mailroom: ${failure.message}`, ...(retry ? ['Retry'] : []), 'Show Log').then((choice) => {
      if (choice === 'Retry') void retry?.().catch((err: Error) => void vscode.window.showErrorMessage(`Mailroom: ${err.message}`));
      if (choice === 'Show Log') void vscode.commands.executeCommand('mailroom.showLog');
    });
  }

  private trimRetries(): void {
    const extra = this.retries.size - 200;
    if (extra > 0) [...this.retries.keys()].slice(0, extra).forEach((k) => this.retries.delete(k));
  }
}

/** The plain-words question for a server without UIDPLUS (RFC 4315): its only EXPUNGE is the whole folder's. */
async function askBareExpunge(group: FolderGroup): Promise<boolean> {
  const choice = await vscode.window.showWarningMessage(
    `This mail server cannot remove only these messages from ${group.folder}.`,
    {
      modal: true,
      detail:
        'It can only clear out every message marked as deleted there at once. Messages that another mail program (a phone, webmail) marked as deleted in this folder but kept would go too, for good.',
    },
    'Go Ahead',
  );
  return choice === 'Go Ahead';
}

/** Core says what an action does ("archive 2 messages from Work"); the notification says it is done. */
const DONE: Record<string, string> = { archive: 'Archived', move: 'Moved', mark: 'Marked', flag: 'Flagged', unflag: 'Unflagged', delete: 'Deleted', put: 'Put' };

function sentence(text: string): string {
  return `${text.replace(/^(\w+)/, (verb) => DONE[verb] ?? verb[0].toUpperCase() + verb.slice(1))}.`;
}
