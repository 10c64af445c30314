/**
 * Folders made, renamed and deleted from the tree: New Folder… (at the top from an account's menu,
 * inside a folder from its menu), Rename Folder… (F2) and Delete Folder… (one question that says how
 * many messages go with it). The server does the work (`AccountSession.createFolder` and the rest);
 * the tree follows the folder list it reads again. Scripts and tests pass the name, or
 * `{ confirm: false }`, as the second argument and are asked nothing.
 */
import * as vscode from 'vscode';
import type { SessionRegistry } from '../accounts/sessionRegistry';
import { folderNameProblem, type AccountSession } from '../core';
import { AccountNode } from '../tree/accountNode';
import { FolderNode } from '../tree/folderNode';

export class FolderEditCommands {
  constructor(
    private readonly sessions: SessionRegistry,
    private readonly view: vscode.TreeView<unknown>,
  ) {}

  register(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand('mailroom.newFolder', (node?: unknown, name?: string) => this.create(node, name)),
      vscode.commands.registerCommand('mailroom.renameFolder', (node?: unknown, name?: string) => this.rename(node, name)),
      vscode.commands.registerCommand('mailroom.deleteFolder', (node?: unknown, options?: { confirm?: boolean }) => this.delete(node, options)),
    ];
  }

  /** Makes a folder inside the folder given (or selected), or at the top of the account given; returns its path. */
  async create(node: unknown, name?: string): Promise<string | undefined> {
    const target = this.target(node, true);
    const session = target && this.sessions.get(target.accountId);
    if (!target || !session) return this.explain('Choose an account or a folder in the Mailroom view, then New Folder from its menu.');
    const parent = target instanceof FolderNode ? target.folder : undefined;
    const delimiter = parent ? parent.delimiter : session.folders.find((f) => f.delimiter)?.delimiter;
    const chosen =
      name ??
      (await vscode.window.showInputBox({
        title: parent ? `New folder inside ${parent.name}` : `New folder in ${session.account.name}`,
        prompt: 'The name of the new folder, made on the server',
        validateInput: (value) => folderNameProblem(value, delimiter),
      }));
    if (chosen === undefined) return undefined;
    return this.attempt(`make the folder "${chosen}"`, () => session.createFolder(parent?.path, chosen));
  }

  /** Renames the folder given (or selected); returns its new path. */
  async rename(node: unknown, name?: string): Promise<string | undefined> {
    const folder = this.target(node, false);
    const session = folder instanceof FolderNode ? this.sessions.get(folder.accountId) : undefined;
    if (!(folder instanceof FolderNode) || !session) return this.explain('Choose a folder in the Mailroom view, then Rename Folder from its menu (or F2).');
    if (this.isInbox(folder)) return this.explain('The Inbox keeps its name.');
    const chosen =
      name ??
      (await vscode.window.showInputBox({
        title: `Rename ${folder.folder.name}`,
        value: folder.folder.name,
        prompt: 'The new name, on the server; folders inside it move with it',
        validateInput: (value) => (value === folder.folder.name ? undefined : folderNameProblem(value, folder.folder.delimiter)),
      }));
    if (chosen === undefined || chosen === folder.folder.name) return undefined;
    return this.attempt(`rename "${folder.folder.name}"`, () => session.renameFolder(folder.path, chosen));
  }

  /** Deletes the folder given (or selected) and its mail, once the user said yes to the count. */
  async delete(node: unknown, options: { confirm?: boolean } = {}): Promise<boolean> {
    const folder = this.target(node, false);
    const session = folder instanceof FolderNode ? this.sessions.get(folder.accountId) : undefined;
    if (!(folder instanceof FolderNode) || !session) {
      await this.explain('Choose a folder in the Mailroom view, then Delete Folder from its menu.');
      return false;
    }
    if (this.isInbox(folder)) {
      await this.explain('The Inbox cannot be deleted.');
      return false;
    }
    if (options.confirm !== false && !(await this.confirmDelete(session, folder))) return false;
    return (await this.attempt(`delete "${folder.folder.name}"`, () => session.deleteFolder(folder.path).then(() => true))) ?? false;
  }

  private async confirmDelete(session: AccountSession, folder: FolderNode): Promise<boolean> {
    await session.requestCounts([folder.path]).catch(() => undefined);
    const messages = session.countsOf(folder.path)?.messages;
    const what = messages === undefined ? 'and the messages in it' : messages === 0 ? '(it holds no messages)' : `and the ${messages.toLocaleString()} message${messages === 1 ? '' : 's'} in it`;
    const inside = folder.folder.children.length ? ' The folders inside it go too.' : '';
    const yes = 'Delete Folder';
    // A dialog that could not be shown (VS Code refuses them in its tests) is no answer, and no is the safe one.
    const choice = await Promise.resolve(
      vscode.window.showWarningMessage(`Delete the folder "${folder.folder.name}" ${what}, for good, on the server?${inside} This cannot be undone.`, { modal: true }, yes),
    ).catch(() => undefined);
    return choice === yes;
  }

  /** The node a command acts on: the one given, else the one selected in the view. */
  private target(node: unknown, accountToo: boolean): FolderNode | AccountNode | undefined {
    const chosen = node instanceof FolderNode || node instanceof AccountNode ? node : this.view.selection[0];
    if (chosen instanceof FolderNode) return chosen;
    return accountToo && chosen instanceof AccountNode ? chosen : undefined;
  }

  private isInbox(folder: FolderNode): boolean {
    return folder.path.toUpperCase() === 'INBOX';
  }

  private async attempt<T>(doing: string, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (err) {
      void vscode.window.showErrorMessage(`Mailroom could not ${doing}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  private async explain(text: string): Promise<undefined> {
    void vscode.window.showInformationMessage(text);
    return undefined;
  }
}
