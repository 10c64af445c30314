/**
 * Mailroom: Add Account, Edit Account, Remove Account, Retry. Each also takes one argument object
 * and then asks nothing, so tests and scripts can drive it; with arguments, a failure rejects with
 * the plain-words message instead of showing a dialog.
 */
import * as vscode from 'vscode';
import { type AccountConfig, AccountSession, classifyError, describeServer, isLocalHost, type MailLog, plaintextAllowed, readPresentedCertificate, sameServer, type SavedCredential, type Security } from '../core';
import { askAccount, DEFAULT_PORTS, isPort, type AccountAnswers } from '../accounts/accountInput';
import { newAccountId, type AccountStore } from '../accounts/accountStore';
import type { FolderRoles } from '../accounts/folderRoles';
import type { SessionRegistry } from '../accounts/sessionRegistry';
import { AccountNode } from '../tree/accountNode';

/** What `mailroom.addAccount` and `mailroom.editAccount` accept instead of asking. */
export interface AccountArgs {
  id?: string;
  name: string;
  host: string;
  port?: number;
  security?: Security;
  user: string;
  password?: string;
  /** The SHA-256 fingerprint of a certificate to trust for this account. */
  trustedCertificate?: string;
  /** Required to save a plain-text account for a host other than this machine. */
  allowPlaintext?: boolean;
}

export class AccountCommands {
  constructor(
    private readonly store: AccountStore,
    private readonly sessions: SessionRegistry,
    private readonly log: MailLog,
    private readonly roles: FolderRoles,
  ) {}

  register(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand('mailroom.addAccount', (args?: AccountArgs) => this.add(args)),
      vscode.commands.registerCommand('mailroom.editAccount', (target?: AccountNode | AccountArgs | string) => this.edit(target)),
      vscode.commands.registerCommand('mailroom.removeAccount', (target?: AccountNode | { id: string } | string) => this.remove(target)),
      vscode.commands.registerCommand('mailroom.retryAccount', (target?: AccountNode | string) => this.retry(target)),
      vscode.commands.registerCommand('mailroom.showMoreFolders', (node: AccountNode) => node.showMoreFolders()),
    ];
  }

  /** Returns the new account's id, or undefined when the user cancelled. */
  async add(args?: AccountArgs): Promise<string | undefined> {
    if (args && isArgs(args)) {
      return this.saveChecked(fromArgs(args, this.store.list()), args.password ?? '', undefined, args);
    }
    return this.interactive('Add Account', undefined);
  }

  async edit(target?: AccountNode | AccountArgs | string): Promise<string | undefined> {
    if (target && typeof target === 'object' && isArgs(target) && target.id) {
      const existing = this.store.get(target.id);
      const saved = existing && (await this.store.saved(existing));
      const account = { ...fromArgs(target, this.store.list()), id: target.id };
      const password = target.password ?? keptPassword(saved, account);
      if (password === undefined) {
        throw new Error(
          `The server for ${account.name} is now ${describeServer(account)}: pass the password to use there. ` +
            'A saved password is only sent to the server it was given for.',
        );
      }
      return this.saveChecked(account, password, saved ?? undefined, target, !!existing);
    }
    const account = await this.pick(target, 'Choose the account to edit');
    return account && this.interactive('Edit Account', account);
  }

  /**
   * Asks, checks the login, and on failure says what went wrong with the ways forward:
   * trust the certificate, edit what was entered, or give up. Nothing entered is lost.
   */
  private async interactive(title: string, existing: AccountConfig | undefined): Promise<string | undefined> {
    let prefill: Partial<AccountConfig> & { password?: string } | undefined = existing;
    const saved = existing && (await this.store.saved(existing));
    // The saved password may be kept only while the answers still name the server it was given for.
    const keepsPassword = (answers: AccountAnswers) => keptPassword(saved, toAccount(answers, existing, this.store.list())) !== undefined;
    for (;;) {
      const answers = await askAccount(title, prefill, existing ? keepsPassword : undefined);
      if (!answers) return undefined;
      const account = toAccount(answers, existing, this.store.list());
      const password = answers.password ?? keptPassword(saved, account) ?? '';
      if (!plaintextAllowed(account, saved?.server)) {
        const choice = await vscode.window.showWarningMessage(
          `With no encryption, your password and mail travel in clear text to ${account.host}.`,
          { modal: true, detail: 'Choose TLS or STARTTLS unless this server is on a network you fully control.' },
          'Connect Without Encryption',
        );
        if (choice !== 'Connect Without Encryption') {
          prefill = { ...account, password: answers.password };
          continue;
        }
      }
      let candidate = account;
      let outcome = await this.tryLogin(candidate, password);
      while (typeof outcome === 'object') {
        // The user trusted the presented certificate: check again with it pinned.
        candidate = outcome;
        outcome = await this.tryLogin(candidate, password);
      }
      if (outcome === 'ok') {
        await this.save(candidate, password, !!existing);
        return candidate.id;
      }
      if (outcome === 'cancel') return undefined;
      // Edit: go round again with everything the user typed.
      prefill = { ...candidate, password: answers.password };
    }
  }

  /** 'ok', 'cancel', 'edit', or an account to retry with a certificate the user chose to trust. */
  private async tryLogin(account: AccountConfig, password: string): Promise<'ok' | 'cancel' | 'edit' | AccountConfig> {
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Connecting to ${account.host}…` },
        () => AccountSession.verify(account, password, this.log),
      );
      return 'ok';
    } catch (err) {
      const info = classifyError(err, account);
      this.log.warn(`[${account.name}] login check failed: ${info.message}`);
      if (info.code === 'certificate-untrusted' && account.security !== 'none') {
        const cert = await readPresentedCertificate(account.host, account.port, account.security).catch(() => undefined);
        if (cert) {
          const choice = await vscode.window.showErrorMessage(
            info.message,
            {
              modal: true,
              detail: `Trust it only if this fingerprint matches the one your mail provider or administrator gave you.\n\nSHA-256: ${cert.fingerprint256}\nSubject: ${cert.subject}\nIssuer: ${cert.issuer}\nValid until: ${cert.validTo}`,
            },
            'Trust This Certificate',
            'Edit Account',
          );
          if (choice === 'Trust This Certificate') return { ...account, trustedCertificate: cert.fingerprint256 };
          return choice === 'Edit Account' ? 'edit' : 'cancel';
        }
      }
      const choice = await vscode.window.showErrorMessage(info.message, 'Edit Account', 'Show Log');
      if (choice === 'Show Log') {
        void vscode.commands.executeCommand('mailroom.showLog');
      }
      return choice === 'Edit Account' ? 'edit' : 'cancel';
    }
  }

  /** The non-interactive path: checks, saves, and rejects with plain words on failure. */
  private async saveChecked(account: AccountConfig, password: string, saved: SavedCredential | undefined, args: AccountArgs, replacing = false): Promise<string> {
    if (!isPort(account.port)) {
      throw new Error(`The port ${account.port} is not valid: use a number between 1 and 65535.`);
    }
    if (!plaintextAllowed(account, saved?.server) && !args.allowPlaintext) {
      throw new Error(`Refusing to send a password in clear text to ${account.host}: use TLS or STARTTLS, or pass allowPlaintext: true.`);
    }
    try {
      await AccountSession.verify(account, password, this.log);
    } catch (err) {
      const info = classifyError(err, account);
      const cert =
        info.code === 'certificate-untrusted' && account.security !== 'none'
          ? await readPresentedCertificate(account.host, account.port, account.security).catch(() => undefined)
          : undefined;
      throw new Error(cert ? `${info.message} SHA-256 fingerprint: ${cert.fingerprint256}` : info.message);
    }
    await this.save(account, password, replacing);
    return account.id;
  }

  /**
   * Saves an account whose login was just verified with `password`, binding the password to this
   * server. Callers reach here only after any plain-text link elsewhere was confirmed.
   */
  private async save(account: AccountConfig, password: string, replacing: boolean): Promise<void> {
    await this.store.save(account, password, { plaintextConfirmed: account.security === 'none' && !isLocalHost(account.host) });
    if (replacing) {
      await this.sessions.restart(account.id);
    } else {
      await this.sessions.sync();
    }
    this.log.info(`[${account.name}] account ${replacing ? 'updated' : 'added'}`);
  }

  async remove(target?: AccountNode | { id: string } | string): Promise<boolean> {
    const account = await this.pick(target, 'Choose the account to remove');
    if (!account) return false;
    const interactive = !(typeof target === 'string' || (target && !(target instanceof AccountNode)));
    if (interactive) {
      const choice = await vscode.window.showWarningMessage(
        `Remove the account "${account.name}" from Mailroom?`,
        { modal: true, detail: 'Its settings and saved password are deleted from this machine. Mail on the server is not touched.' },
        'Remove',
      );
      if (choice !== 'Remove') return false;
    }
    await this.store.remove(account.id);
    await this.roles.forget(account.id);
    await this.sessions.sync();
    this.log.info(`[${account.name}] account removed`);
    return true;
  }

  async retry(target?: AccountNode | string): Promise<void> {
    const id = target instanceof AccountNode ? target.accountId : target;
    const sessions = id ? [this.sessions.get(id)] : this.sessions.all();
    await Promise.all(sessions.map((s) => s?.retry().catch(() => undefined)));
  }

  private async pick(target: AccountNode | { id: string } | AccountArgs | string | undefined, placeHolder: string): Promise<AccountConfig | undefined> {
    const id = target instanceof AccountNode ? target.accountId : typeof target === 'string' ? target : target?.id;
    if (id) {
      const found = this.store.get(id);
      if (!found) throw new Error(`There is no Mailroom account with the id "${id}".`);
      return found;
    }
    const accounts = this.store.list();
    if (accounts.length <= 1) return accounts[0];
    const picked = await vscode.window.showQuickPick(
      accounts.map((a) => ({ label: a.name, description: `${a.user} on ${a.host}`, account: a })),
      { placeHolder },
    );
    return picked?.account;
  }
}

/** The saved password, if it was given for the server `account` names. */
function keptPassword(saved: SavedCredential | undefined, account: AccountConfig): string | undefined {
  return saved && saved.password && sameServer(saved.server, account) ? saved.password : undefined;
}

function isArgs(value: object): value is AccountArgs {
  const v = value as Partial<AccountArgs>;
  return typeof v.host === 'string' && typeof v.user === 'string';
}

function fromArgs(args: AccountArgs, existing: readonly AccountConfig[]): AccountConfig {
  const security = args.security ?? 'tls';
  const name = args.name?.trim() || args.user;
  return {
    id: args.id ?? newAccountId(name, existing),
    name,
    host: args.host.trim(),
    port: args.port ?? DEFAULT_PORTS[security],
    security,
    user: args.user.trim(),
    trustedCertificate: args.trustedCertificate,
  };
}

function toAccount(answers: AccountAnswers, existing: AccountConfig | undefined, all: readonly AccountConfig[]): AccountConfig {
  const sameServer = existing && existing.host === answers.host && existing.port === answers.port;
  return {
    id: existing?.id ?? newAccountId(answers.name, all),
    name: answers.name,
    host: answers.host,
    port: answers.port,
    security: answers.security,
    user: answers.user,
    // A trusted certificate belongs to the server it was presented by.
    trustedCertificate: sameServer ? existing?.trustedCertificate : undefined,
  };
}
