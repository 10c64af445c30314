/**
 * A saved password belongs to the server it was given for. The secret stores the password together
 * with the server it was verified against (host, port, security, user, pinned certificate); a
 * password is handed out only for an account that still names that very server. Settings can be
 * edited by hand or arrive through Settings Sync, so they are never proof on their own that the
 * user meant a password to go somewhere: only Mailroom's own prompts bind a password to a server.
 */
import { MailError } from './errors';
import type { AccountConfig, MailErrorInfo, Security } from '../model/types';

/** The server a password was given for. */
export interface ServerBinding {
  host: string;
  port: number;
  security: Security;
  user: string;
  /** The certificate fingerprint the user trusted when the password was given, if any. */
  trustedCertificate?: string;
  /** The user confirmed in Mailroom's own prompt that this server may get the password in clear text. */
  plaintextConfirmed?: boolean;
}

/** What SecretStorage holds for an account, as JSON. */
export interface SavedCredential {
  v: 1;
  password: string;
  server: ServerBinding;
}

/** Hands out the password for a connection, or throws a MailError that says why it will not. */
export type CredentialProvider = () => Promise<string>;

export function bindingOf(account: AccountConfig, plaintextConfirmed = false): ServerBinding {
  return {
    host: account.host,
    port: account.port,
    security: account.security,
    user: account.user,
    trustedCertificate: account.trustedCertificate,
    plaintextConfirmed: plaintextConfirmed || undefined,
  };
}

export function encodeCredential(password: string, server: ServerBinding): string {
  const saved: SavedCredential = { v: 1, password, server };
  return JSON.stringify(saved);
}

/**
 * Reads what SecretStorage holds. Before passwords were bound to servers the secret was the bare
 * password: that comes back as `legacy`, for the caller to bind once to the account as the user's
 * own settings name it.
 */
export function decodeCredential(raw: string | undefined): SavedCredential | { legacy: string } | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw.startsWith('{')) {
    try {
      const parsed = JSON.parse(raw) as Partial<SavedCredential>;
      if (parsed && parsed.v === 1 && typeof parsed.password === 'string' && isBinding(parsed.server)) {
        return parsed as SavedCredential;
      }
    } catch {
      // Not ours: a bare password that happens to start with a brace.
    }
  }
  return { legacy: raw };
}

function isBinding(value: unknown): value is ServerBinding {
  const v = value as Partial<ServerBinding> | null;
  return !!v && typeof v.host === 'string' && typeof v.port === 'number' && typeof v.user === 'string' && typeof v.security === 'string';
}

/** True when `account` names the server `binding` was given for. Host names compare without case (RFC 4343). */
export function sameServer(binding: ServerBinding, account: AccountConfig): boolean {
  return (
    binding.host.trim().toLowerCase() === account.host.trim().toLowerCase() &&
    binding.port === account.port &&
    binding.security === account.security &&
    binding.user === account.user &&
    (binding.trustedCertificate ?? '').toUpperCase() === (account.trustedCertificate ?? '').toUpperCase()
  );
}

/** A host on this machine, where a plain-text connection never leaves it. */
export function isLocalHost(host: string): boolean {
  return /^(localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i.test(host.trim());
}

/** Plain text is for this machine, or for a server the user confirmed in Mailroom's own prompt. */
export function plaintextAllowed(account: AccountConfig, binding: ServerBinding | undefined): boolean {
  if (account.security !== 'none' || isLocalHost(account.host)) return true;
  return !!binding?.plaintextConfirmed && sameServer(binding, account);
}

/** How the account's server reads in a message: `alice on imap.example.com:993 (TLS)`. */
export function describeServer(account: Pick<AccountConfig, 'host' | 'port' | 'security' | 'user'>): string {
  const security = account.security === 'tls' ? 'TLS' : account.security === 'starttls' ? 'STARTTLS' : 'no encryption';
  return `${account.user} on ${account.host}:${account.port} (${security})`;
}

/**
 * The password to send to `account`'s server, or the reason none may be sent. Never returns a
 * password bound to another server, and never one for a plain-text link the user did not allow.
 */
export function passwordFor(account: AccountConfig, saved: SavedCredential | undefined): { password: string } | { refused: MailErrorInfo } {
  if (!plaintextAllowed(account, saved?.server)) {
    return {
      refused: {
        code: 'insecure',
        message:
          `Mailroom will not send the password for ${account.name} in clear text to ${account.host}. ` +
          'Use Edit Account to choose TLS or STARTTLS, or to confirm there that this server is on a network you control.',
      },
    };
  }
  if (!saved || !saved.password) {
    return { refused: noPasswordSaved(account.name) };
  }
  if (!sameServer(saved.server, account)) {
    return {
      refused: {
        code: 'password-needed',
        message:
          `The server for ${account.name} changed to ${describeServer(account)}: enter the password to use there (Edit Account). ` +
          `The password saved for ${saved.server.host} was not sent.`,
      },
    };
  }
  return { password: saved.password };
}

function noPasswordSaved(accountName: string): MailErrorInfo {
  // Settings can arrive from another machine (Settings Sync) without the keychain entry.
  return { code: 'password-needed', message: `No password is saved for ${accountName} on this machine. Use Edit Account to enter it.` };
}

/** A provider that always hands out `password`: for tests and for checking an account before it is saved. */
export function fixedPassword(password: string, accountName: string): CredentialProvider {
  return async () => {
    if (!password) {
      throw new MailError(noPasswordSaved(accountName));
    }
    return password;
  };
}
