/** Every setting key in one place (package.json `contributes.configuration` declares them). */
import * as vscode from 'vscode';
import type { AccountConfig } from './core';

export const SECTION = 'mailroom';

export const Setting = {
  accounts: 'accounts',
  markSeenOnOpen: 'markSeenOnOpen',
  pollInterval: 'pollInterval',
  watchedFolderPollSeconds: 'watchedFolderPollSeconds',
  idleCheckSeconds: 'idleCheckSeconds',
  cacheMaxBodyMB: 'cache.maxBodyMB',
  timeout: 'timeout',
  watchedFolders: 'watchedFolders',
  notifyNewMail: 'notifyNewMail',
} as const;

export function affects(event: vscode.ConfigurationChangeEvent, key: keyof typeof Setting): boolean {
  return event.affectsConfiguration(`${SECTION}.${Setting[key]}`);
}

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

/**
 * The accounts from the user's own settings only. A workspace or folder value is never read: a
 * repository's `.vscode/settings.json` must not decide where a saved password goes. The setting is
 * also declared `"scope": "application"`, so VS Code drops such values itself; reading `globalValue`
 * keeps that true whatever the declaration says.
 */
export function readAccounts(): AccountConfig[] {
  const raw = config().inspect<unknown[]>(Setting.accounts)?.globalValue ?? [];
  return (Array.isArray(raw) ? raw : []).filter(isAccountConfig);
}

export async function writeAccounts(accounts: AccountConfig[]): Promise<void> {
  await config().update(Setting.accounts, accounts, vscode.ConfigurationTarget.Global);
}

/** Megabytes of opened message bodies the mirror keeps for offline reading (0 keeps none). */
export function cacheMaxBodyMB(): number {
  const value = config().get<number>(Setting.cacheMaxBodyMB, 200);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

export function markSeenOnOpen(): boolean {
  return config().get<boolean>(Setting.markSeenOnOpen, true);
}

export function pollInterval(): number {
  return Math.max(10, config().get<number>(Setting.pollInterval, 60));
}

export function watchedFolderPollSeconds(): number {
  return Math.max(5, config().get<number>(Setting.watchedFolderPollSeconds, 15));
}

export function idleCheckSeconds(): number {
  return Math.max(2, config().get<number>(Setting.idleCheckSeconds, 10));
}

/** Seconds a server has to answer a command before Mailroom gives up on the connection and reconnects. */
export function timeout(): number {
  return Math.max(5, config().get<number>(Setting.timeout, 30));
}

function isAccountConfig(value: unknown): value is AccountConfig {
  const v = value as Partial<AccountConfig> | null;
  return (
    !!v &&
    typeof v.id === 'string' &&
    typeof v.name === 'string' &&
    typeof v.host === 'string' &&
    typeof v.port === 'number' &&
    typeof v.user === 'string' &&
    (v.security === 'tls' || v.security === 'starttls' || v.security === 'none')
  );
}

/** The folders whose unread mail the badge and the status bar count, and whose new mail notifies (each account's). */
export function watchedFolders(): string[] {
  const value = config().get<string[]>(Setting.watchedFolders, ['INBOX']);
  return Array.isArray(value) && value.length ? value.filter((f) => typeof f === 'string' && f) : ['INBOX'];
}

export function notifyNewMail(): boolean {
  return config().get<boolean>(Setting.notifyNewMail, true);
}
