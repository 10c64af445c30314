/**
 * The user's choices of what a folder is for (Sent, Drafts, Trash, Junk, Archive…), per account,
 * for servers whose SPECIAL-USE attributes (RFC 6154) are missing or wrong. Kept in the extension's
 * global state: a machine-local preference, not a setting a workspace could change.
 */
import type * as vscode from 'vscode';
import { type SpecialUse, type SpecialUseOverrides } from '../core';

const key = (accountId: string) => `mailroom.folderRoles.${accountId}`;

export class FolderRoles {
  constructor(private readonly state: vscode.Memento) {}

  of(accountId: string): SpecialUseOverrides {
    return this.state.get<SpecialUseOverrides>(key(accountId), {});
  }

  /** `undefined` forgets the choice: the server's attribute or the folder's name decide again. */
  async choose(accountId: string, path: string, role: SpecialUse | 'none' | undefined): Promise<SpecialUseOverrides> {
    const roles = { ...this.of(accountId) };
    if (role === undefined) delete roles[path];
    else roles[path] = role;
    await this.state.update(key(accountId), Object.keys(roles).length ? roles : undefined);
    return roles;
  }

  forget(accountId: string): Thenable<void> {
    return this.state.update(key(accountId), undefined);
  }
}
