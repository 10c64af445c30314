/**
 * Where accounts live: settings without secrets in `mailroom.accounts`, the password in
 * SecretStorage (the OS keychain) under `mailroom.password.<id>`. Nothing else ever sees a password.
 */
import * as vscode from 'vscode';
import type { AccountConfig } from '../core/types';
import { readAccounts, writeAccounts } from '../settings';

const secretKey = (id: string) => `mailroom.password.${id}`;

export class AccountStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  list(): AccountConfig[] {
    return readAccounts();
  }

  get(id: string): AccountConfig | undefined {
    return this.list().find((a) => a.id === id);
  }

  password(id: string): Thenable<string | undefined> {
    return this.secrets.get(secretKey(id));
  }

  /** Adds or replaces an account; the password, if given, goes to SecretStorage only. */
  async save(account: AccountConfig, password?: string): Promise<void> {
    if (password !== undefined) {
      await this.storePassword(account.id, password);
    }
    const others = this.list().filter((a) => a.id !== account.id);
    await writeAccounts([...others, account]);
  }

  async remove(id: string): Promise<void> {
    await writeAccounts(this.list().filter((a) => a.id !== id));
    await this.secrets.delete(secretKey(id));
  }

  async storePassword(id: string, password: string): Promise<void> {
    await this.secrets.store(secretKey(id), password);
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
