/**
 * One live `AccountSession` per configured account. Follows the `mailroom.accounts` setting: a new
 * account starts a session, a removed one stops it, a changed one restarts it.
 */
import * as vscode from 'vscode';
import { type AccountConfig, AccountSession, type MailLog } from '../core';
import { affects, idleCheckSeconds, pollInterval, timeout, watchedFolderPollSeconds, watchedFolders } from '../settings';
import type { AccountStore } from './accountStore';
import type { FolderRoles } from './folderRoles';
import type { MailCaches } from './mailCaches';

export class SessionRegistry implements vscode.Disposable {
  private readonly sessions = new Map<string, { session: AccountSession; signature: string }>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Accounts were added, removed or changed: the tree shows a new list of accounts. */
  readonly onDidChangeSessions = this.changed.event;
  private readonly created = new vscode.EventEmitter<AccountSession>();
  /** A session was created; the tree subscribes to its events here. */
  readonly onDidCreateSession = this.created.event;

  private readonly configListener: vscode.Disposable;

  constructor(
    private readonly store: AccountStore,
    private readonly log: MailLog,
    private readonly roles: FolderRoles,
    private readonly caches: MailCaches,
  ) {
    this.configListener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (affects(e, 'watchedFolderPollSeconds') || affects(e, 'idleCheckSeconds') || affects(e, 'timeout') || affects(e, 'watchedFolders')) {
        this.applyTimings();
      }
    });
  }

  get(accountId: string): AccountSession | undefined {
    return this.sessions.get(accountId)?.session;
  }

  all(): AccountSession[] {
    return this.store
      .list()
      .map((a) => this.sessions.get(a.id)?.session)
      .filter((s): s is AccountSession => !!s);
  }

  /**
   * Brings the sessions in line with the stored accounts and connects the new ones. Calls run one
   * after another: saving an account both calls this and fires a settings change that calls it, and
   * two overlapping runs would each start a session for the same new account.
   */
  sync(): Promise<void> {
    // A failed run must not block the ones after it: the failure is the caller's to handle.
    this.syncing = this.syncing.catch(() => undefined).then(() => this.syncNow());
    return this.syncing;
  }

  private syncing: Promise<void> = Promise.resolve();

  /** Resolves once every sync asked for so far has run: the sessions then match the accounts. */
  whenSynced(): Promise<void> {
    return this.syncing.catch(() => undefined);
  }

  private async syncNow(): Promise<void> {
    const accounts = this.store.list();
    let changed = false;
    for (const [id, entry] of this.sessions) {
      const account = accounts.find((a) => a.id === id);
      if (!account || signature(account) !== entry.signature) {
        entry.session.dispose();
        this.sessions.delete(id);
        changed = true;
      }
      if (!account) {
        // The account is gone (removed, or deleted from settings by hand): so is its mirror.
        this.caches.remove(id);
      }
    }
    for (const account of accounts) {
      if (!this.sessions.has(account.id)) {
        await this.start(account);
        changed = true;
      }
    }
    if (changed) {
      this.changed.fire();
    }
  }

  /** Applies a changed `mailroom.pollInterval` to every session. */
  applyPollInterval(): void {
    this.applyTimings();
  }

  /** Applies the polling and checking settings to every session at once. */
  private applyTimings(): void {
    for (const { session } of this.sessions.values()) {
      session.setTimings(timings());
    }
  }

  /** Restarts an account's session, e.g. after its password changed. */
  restart(accountId: string): Promise<void> {
    this.syncing = this.syncing.catch(() => undefined).then(() => {
      this.sessions.get(accountId)?.session.dispose();
      this.sessions.delete(accountId);
    });
    return this.sync();
  }

  private async start(account: AccountConfig): Promise<void> {
    const session = new AccountSession(account, this.store.credentials(account), { log: this.log, cache: this.caches.for(account), ...timings() });
    session.setFolderRoles(this.roles.of(account.id));
    this.sessions.set(account.id, { session, signature: signature(account) });
    this.created.fire(session);
    // Connect in the background; the account node shows progress and failures (a password that
    // may not be sent to this server among them).
    void session.connect().catch((err) => this.log.warn(`[${account.name}] ${(err as Error).message}`));
  }

  dispose(): void {
    this.configListener.dispose();
    for (const { session } of this.sessions.values()) {
      session.dispose();
    }
    this.sessions.clear();
    this.changed.dispose();
    this.created.dispose();
  }
}

function timings(): { pollInterval: number; watchedPollSeconds: number; idleCheckSeconds: number; timeout: number; watchedFolders: string[] } {
  return { pollInterval: pollInterval(), watchedPollSeconds: watchedFolderPollSeconds(), idleCheckSeconds: idleCheckSeconds(), timeout: timeout(), watchedFolders: watchedFolders() };
}

function signature(account: AccountConfig): string {
  return JSON.stringify([account.name, account.host, account.port, account.security, account.user, account.trustedCertificate ?? '']);
}
