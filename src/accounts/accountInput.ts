/**
 * The guided input of an account's settings: one step at a time in the quick input, each step
 * titled "Add Account (n/6)" and prefilled when editing. Asks only; saves nothing.
 */
import * as vscode from 'vscode';
import type { AccountConfig, Security } from '../core';

export interface AccountAnswers {
  name: string;
  host: string;
  port: number;
  security: Security;
  user: string;
  /** Undefined when editing and the user kept the stored password. */
  password?: string;
}

export const DEFAULT_PORTS: Record<Security, number> = { tls: 993, starttls: 143, none: 143 };

const SECURITY_ITEMS: (vscode.QuickPickItem & { security: Security })[] = [
  { label: 'TLS', description: 'port 993', detail: 'Encrypted from the start (recommended).', security: 'tls' },
  { label: 'STARTTLS', description: 'port 143', detail: 'Starts plain, then upgrades to encryption before signing in.', security: 'starttls' },
  { label: 'None', description: 'port 143', detail: 'No encryption: the password travels in clear text. Only for a server on this machine.', security: 'none' },
];

/**
 * `keepsPassword`, when editing: whether the saved password may be kept for these answers. It may
 * not once they name another server, so the password step then insists on a new one.
 */
export async function askAccount(
  title: string,
  prefill?: Partial<AccountConfig> & { password?: string },
  keepsPassword?: (answers: AccountAnswers) => boolean,
): Promise<AccountAnswers | undefined> {
  const total = 6;
  const step = (n: number) => `${title} (${n}/${total})`;

  const name = await vscode.window.showInputBox({
    title: step(1),
    prompt: 'A name for this account, shown in the Mailroom view',
    value: prefill?.name ?? '',
    placeHolder: 'Work',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'Enter a name.'),
  });
  if (name === undefined) return undefined;

  const host = await vscode.window.showInputBox({
    title: step(2),
    prompt: 'The IMAP server',
    value: prefill?.host ?? '',
    placeHolder: 'imap.example.com',
    ignoreFocusOut: true,
    validateInput: (v) => (/^[A-Za-z0-9.\-:[\]]+$/.test(v.trim()) ? undefined : 'Enter a host name or IP address.'),
  });
  if (host === undefined) return undefined;

  const picked = await vscode.window.showQuickPick(
    SECURITY_ITEMS.map((item) => ({ ...item, picked: item.security === (prefill?.security ?? 'tls') })),
    { title: step(3), placeHolder: 'How should the connection be protected?', ignoreFocusOut: true },
  );
  if (!picked) return undefined;

  const defaultPort = prefill?.port && prefill.security === picked.security ? prefill.port : DEFAULT_PORTS[picked.security];
  const port = await vscode.window.showInputBox({
    title: step(4),
    prompt: `The port (${picked.label} usually uses ${DEFAULT_PORTS[picked.security]})`,
    value: String(defaultPort),
    ignoreFocusOut: true,
    validateInput: (v) => (isPort(Number(v)) ? undefined : 'Enter a port between 1 and 65535.'),
  });
  if (port === undefined) return undefined;

  const user = await vscode.window.showInputBox({
    title: step(5),
    prompt: 'User name, often your email address',
    value: prefill?.user ?? '',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'Enter the user name.'),
  });
  if (user === undefined) return undefined;

  const answers: AccountAnswers = { name: name.trim(), host: host.trim(), port: Number(port), security: picked.security, user: user.trim() };
  const canKeep = keepsPassword?.(answers) ?? false;
  const password = await vscode.window.showInputBox({
    title: step(6),
    prompt: canKeep
      ? 'Password (leave empty to keep the saved one). It is kept in the system keychain.'
      : keepsPassword
        ? `Enter the password for ${answers.user} on ${answers.host}: a saved password is only used for the server it was given for.`
        : 'Password. It is kept in the system keychain, never in settings.',
    password: true,
    value: prefill?.password ?? '',
    ignoreFocusOut: true,
    validateInput: (v) =>
      v || canKeep ? undefined : keepsPassword ? 'Enter the password for this server: the saved one stays with the server it was given for.' : 'Enter the password.',
  });
  if (password === undefined) return undefined;
  return { ...answers, password: password || undefined };
}

export function isPort(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n < 65536;
}
