/**
 * Mailroom: Set Folder Role. Servers without SPECIAL-USE (RFC 6154) leave Mailroom to guess Sent,
 * Trash and the rest from folder names; when the guess is wrong the user says which folder is which.
 * Takes the folder node and, for scripts and tests, the role as a second argument (then asks nothing).
 */
import * as vscode from 'vscode';
import type { FolderRoles } from '../accounts/folderRoles';
import type { SessionRegistry } from '../accounts/sessionRegistry';
import type { SpecialUse } from '../core';
import { FolderNode } from '../tree/folderNode';

type Role = SpecialUse | 'none' | 'auto';

const CHOICES: { label: string; role: Role; detail?: string }[] = [
  { label: '$(send) Sent', role: 'sent' },
  { label: '$(edit) Drafts', role: 'drafts' },
  { label: '$(archive) Archive', role: 'archive' },
  { label: '$(circle-slash) Junk', role: 'junk' },
  { label: '$(trash) Trash', role: 'trash' },
  { label: '$(mail) All Mail', role: 'all' },
  { label: '$(star-full) Flagged', role: 'flagged' },
  { label: '$(folder) An ordinary folder', role: 'none', detail: 'Not a special folder, whatever its name.' },
  { label: '$(server) As the server says', role: 'auto', detail: "Forget this choice: the server's attributes or the folder's name decide." },
];

export class FolderCommands {
  constructor(
    private readonly sessions: SessionRegistry,
    private readonly roles: FolderRoles,
  ) {}

  register(): vscode.Disposable[] {
    return [vscode.commands.registerCommand('mailroom.setFolderRole', (folder: FolderNode, role?: Role) => this.setRole(folder, role))];
  }

  async setRole(folder: FolderNode, role?: Role): Promise<void> {
    if (!(folder instanceof FolderNode)) {
      void vscode.window.showInformationMessage('Choose a folder in the Mailroom view, then Set Folder Role from its menu.');
      return;
    }
    if (folder.path.toUpperCase() === 'INBOX') {
      void vscode.window.showInformationMessage('The Inbox is always the Inbox.');
      return;
    }
    const chosen = role ?? (await this.ask(folder));
    if (!chosen) return;
    const roles = await this.roles.choose(folder.accountId, folder.path, chosen === 'auto' ? undefined : chosen);
    this.sessions.get(folder.accountId)?.setFolderRoles(roles);
  }

  private async ask(folder: FolderNode): Promise<Role | undefined> {
    const current = folder.folder.specialUse;
    const picked = await vscode.window.showQuickPick(
      CHOICES.map((c) => ({ ...c, description: c.role === current ? 'now' : undefined })),
      { title: `What is "${folder.folder.name}" for?`, placeHolder: 'Mailroom uses this folder for that role in this account' },
    );
    return picked?.role;
  }
}
