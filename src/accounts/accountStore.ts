/**
 * Where accounts live: settings without secrets in the user's own `mailroom.accounts`, the password
 * in SecretStorage (the OS keychain) under `mailroom.password.<id>`, bound to the server it was
 * given for (see core/credentials.ts). Nothing else ever sees a password.
 */
import * as vscode from 'vscode';
import { type AccountConfig, bindingOf, type CredentialProvider, decodeCredential, encodeCredential, MailError, type MailLog, passwordFor, type SavedCredential } from '../core';
import { readAccounts, writeAccounts } from '../settings';

const secretKey = (id: string) => `mailroom.password.${id}`;

export class AccountStore {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: MailLog,
  ) {}

  list(): AccountConfig[] {
    return readAccounts();
  }

  get(id: string): AccountConfig | undefined {
    return this.list().find((a) => a.id === id);
  }

  /** What is saved for the account. A bare password from before binding is bound once to the account as the user's settings name it. */
  async saved(account: AccountConfig): Promise<SavedCredential | undefined> {
    const decoded = decodeCredential(await this.secrets.get(secretKey(account.id)));
    if (!decoded || !('legacy' in decoded)) return decoded;
    const bound: SavedCredential = { v: 1, password: decoded.legacy, server: bindingOf(account) };
    await this.secrets.store(secretKey(account.id), encodeCredential(bound.password, bound.server));
    this.log.info(`[${account.name}] saved password bound to ${account.host}:${account.port}`);
    return bound;
  }

  /**
   * Asked on every connect: the password for the server `account` names (the one the session
   * connects to, not whatever the settings say by then), or a MailError saying why none may go there.
   */
  credentials(account: AccountConfig): CredentialProvider {
    return async () => {
      const result = passwordFor(account, await this.saved(account));
      if ('refused' in result) throw new MailError(result.refused);
      return result.password;
    };
  }

  /**
   * Adds or replaces an account. `password` is the one just verified against this very server in
   * Mailroom's own prompt: it is saved bound to that server, before the settings name it.
   */
  async save(account: AccountConfig, password: string, options: { plaintextConfirmed?: boolean } = {}): Promise<void> {
    await this.secrets.store(secretKey(account.id), encodeCredential(password, bindingOf(account, options.plaintextConfirmed)));
    const others = this.list().filter((a) => a.id !== account.id);
    await writeAccounts([...others, account]);
  }

  async remove(id: string): Promise<void> {
    await writeAccounts(this.list().filter((a) => a.id !== id));
    await this.secrets.delete(secretKey(id));
  }

  /** For test hosts: a bare password, bound on first use like one saved before binding existed. */
  async seedPassword(id: string, password: string): Promise<void> {
    await this.secrets.store(secretKey(id), password);
  }

  /** What SecretStorage holds for the account, for tests that check what was removed or bound. */
  rawSecret(id: string): Thenable<string | undefined> {
    return this.secrets.get(secretKey(id));
  }
}

/** A readable, unique id from the account name: `work`, `work-2`. */
export function newAccountId(name: string, existing: readonly AccountConfig[]): string {
  const base = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'account';
  let id = base;
  for (let n = 2; existing.some((a) => a.id === id); n++) {
    id = `${base}-${n}`;
  }
  return id;
}
