/**
 * Turns whatever a connection attempt throws (Node socket errors, TLS errors, imapflow errors)
 * into one of a few kinds a person can act on, with words that say what to do next.
 */
import type { MailErrorInfo } from '../model/types';
import { redact } from './log';

export class MailError extends Error {
  constructor(readonly info: MailErrorInfo, options?: { cause?: unknown }) {
    super(info.message, options);
    this.name = 'MailError';
  }
}

interface ErrorLike {
  code?: string;
  message?: string;
  name?: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
  responseText?: string;
  cause?: unknown;
  /** imapflow: the text of the server's BYE, on a NoConnection error. */
  reason?: string;
  /** imapflow: milliseconds the server asked to wait, on a throttled command (ETHROTTLE). */
  throttleReset?: number;
}

/** imapflow's codes for a response it would not read whole: too big, too many parts, malformed. */
const UNREADABLE_RESPONSE_CODES = new Set([
  'TooManyTokens',
  'TooManyResponses',
  'LineTooLarge',
  'LiteralTooLarge',
  'ResponseTooLarge',
  'MAX_IMAP_NESTING_REACHED',
  'InvalidResponse',
  'ResponseProcessingFailed',
]);

const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'CERT_PINNED_MISMATCH',
]);

export interface ErrorContext {
  host: string;
  port: number;
  user?: string;
}

/** The fields of a library's error worth keeping as a cause; `response` (the server's whole line) is not one. */
const KEPT_FIELDS = ['code', 'responseStatus', 'serverResponseCode', 'responseText', 'executedCommand', 'authenticationFailed', 'reason'] as const;

/**
 * A copy of `err` with no secret in it: its message and kept fields redacted (LOGIN and AUTHENTICATE
 * arguments, and every form of `secrets`), its cause likewise, everything else left out. A MailError
 * or a value that is not an object is returned as it is.
 */
export function withoutSecrets(err: unknown, secrets: readonly string[], depth = 0): unknown {
  if (err instanceof MailError || typeof err !== 'object' || err === null) return err;
  const source = err as Record<string, unknown> & { message?: unknown; name?: unknown; cause?: unknown };
  const clean = new Error(redact(String(source.message ?? ''), secrets)) as Error & Record<string, unknown>;
  if (typeof source.name === 'string') clean.name = source.name;
  for (const field of KEPT_FIELDS) {
    const value = source[field];
    if (value !== undefined) clean[field] = typeof value === 'string' ? redact(value, secrets) : value;
  }
  if (source.cause !== undefined && depth < 4) clean.cause = withoutSecrets(source.cause, secrets, depth + 1);
  return clean;
}

export function classifyError(err: unknown, ctx: ErrorContext): MailErrorInfo {
  if (err instanceof MailError) {
    return err.info;
  }
  const e = (err ?? {}) as ErrorLike;
  const code = e.code ?? '';
  const where = `${ctx.host}:${ctx.port}`;

  if (e.authenticationFailed || e.serverResponseCode === 'AUTHENTICATIONFAILED') {
    return {
      code: 'auth',
      message: `The server at ${ctx.host} refused the user name or password${ctx.user ? ` for ${ctx.user}` : ''}. Check them and try again.`,
    };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return { code: 'host-not-found', message: `The host ${ctx.host} could not be found. Check the server name.` };
  }
  if (code === 'ECONNREFUSED') {
    return {
      code: 'connection-refused',
      message: `Nothing accepted the connection at ${where}. Check the port and the security setting, or whether the server is running.`,
    };
  }
  if (code === 'ETIMEOUT' || (!code && /^Socket timeout$/i.test(e.message ?? ''))) {
    // imapflow's socket watchdog: a connection that was working went quiet.
    return {
      code: 'timeout',
      message: `The server at ${where} stopped answering and did not answer in time. Mailroom reconnects by itself; you can also retry now.`,
    };
  }
  if (code === 'LockTimeout') {
    return { code: 'timeout', message: `The connection to ${where} was busy for too long with other work. Try again.` };
  }
  if (/TIMEOUT/i.test(code) || code === 'ETIMEDOUT') {
    return {
      code: 'timeout',
      message: `The server at ${where} did not answer in time. Check the port, the security setting and your network.`,
    };
  }
  if (CERTIFICATE_CODES.has(code)) {
    return {
      code: 'certificate-untrusted',
      message:
        code === 'CERT_PINNED_MISMATCH'
          ? `The certificate of ${ctx.host} is not the one you trusted for this account. It may have been renewed, or someone may be intercepting the connection.`
          : `The TLS certificate of ${ctx.host} is not trusted (${describeCertificateCode(code)}).`,
    };
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /SSL|TLS/.test(e.message ?? '')) {
    return {
      code: 'tls',
      message: `A secure connection to ${where} could not be set up. The server may not speak TLS on this port: check the security setting (TLS for 993, STARTTLS for 143).`,
    };
  }
  if (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'EConnectionClosed' ||
    code === 'NoConnection' ||
    code === 'StateLogout' ||
    /^ClosedAfterConnect/.test(code) ||
    (!code && /^(Connection not available|Connection closed|Socket is already closed)$/i.test(e.message ?? ''))
  ) {
    // A BYE (RFC 3501 7.1.5) says why the server ended the session: worth repeating.
    const said = e.reason ? ` The server said: ${e.reason}` : '';
    return { code: 'dropped', message: `The connection to ${where} was closed by the server or the network. Mailroom reconnects by itself.${said}` };
  }
  if (code === 'ETHROTTLE' || (!code && /Request is throttled/i.test(e.responseText ?? e.message ?? ''))) {
    const wait = e.throttleReset ? ` It asked to wait about ${Math.ceil(e.throttleReset / 1_000)} s.` : '';
    return { code: 'protocol', message: `The server at ${where} is limiting how fast Mailroom may work (throttling).${wait} Try again in a little while.` };
  }
  if (UNREADABLE_RESPONSE_CODES.has(code) || code.startsWith('ParserError')) {
    return {
      code: 'protocol',
      message: `The server at ${where} sent a response Mailroom could not read (too large or malformed). Try again; if it keeps happening, the folder or message may be too big to show at once.`,
    };
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return { code: 'timeout', message: `The network cannot reach ${ctx.host}. Check your connection.` };
  }
  if (e.responseText || e.serverResponseCode) {
    return { code: 'protocol', message: `The server said: ${e.responseText ?? e.serverResponseCode}` };
  }
  if (e.name === 'SQLite3Error' || /^SQLITE_|disk image is malformed|file is not a database/.test(e.message ?? '')) {
    // Our own file, not the server: say so, and what happens next.
    return {
      code: 'unknown',
      message: `Mailroom's copy of your mail on this computer could not be read (${e.message}). The server still has all of it: Mailroom sets the damaged copy aside and fetches the mail again. Try again in a moment.`,
    };
  }
  return { code: 'unknown', message: `Something went wrong talking to ${where}: ${e.message ?? String(err)}` };
}

function describeCertificateCode(code: string): string {
  switch (code) {
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'it is self-signed';
    case 'CERT_HAS_EXPIRED':
      return 'it has expired';
    case 'CERT_NOT_YET_VALID':
      return 'it is not valid yet';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'it was issued for another host name';
    default:
      return 'no trusted authority vouches for it';
  }
}

/** Failures that mean the server could not be reached (not that it refused something): waiting or an offline copy helps. */
const UNREACHABLE = new Set<MailErrorInfo['code']>(['dropped', 'timeout', 'connection-refused', 'host-not-found', 'tls']);

export function isUnreachable(err: unknown): boolean {
  return err instanceof MailError && UNREACHABLE.has(err.info.code);
}
