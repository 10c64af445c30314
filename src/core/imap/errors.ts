/**
 * Turns whatever a connection attempt throws (Node socket errors, TLS errors, imapflow errors)
 * into one of a few kinds a person can act on, with words that say what to do next.
 */
import type { MailErrorInfo } from '../model/types';

export class MailError extends Error {
  constructor(readonly info: MailErrorInfo, options?: { cause?: unknown }) {
    super(info.message, options);
    this.name = 'MailError';
  }
}

interface ErrorLike {
  code?: string;
  message?: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
  responseText?: string;
  cause?: unknown;
}

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
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'EConnectionClosed' || code === 'NoConnection' || /^ClosedAfterConnect/.test(code)) {
    return { code: 'dropped', message: `The connection to ${where} was closed by the server or the network.` };
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return { code: 'timeout', message: `The network cannot reach ${ctx.host}. Check your connection.` };
  }
  if (e.responseText || e.serverResponseCode) {
    return { code: 'protocol', message: `The server said: ${e.responseText ?? e.serverResponseCode}` };
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
