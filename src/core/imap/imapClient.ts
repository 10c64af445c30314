/**
 * Builds and connects one imapflow client for an account. Knows about security modes and
 * certificate pinning; knows nothing about folders.
 */
import * as net from 'node:net';
import type { ConnectionOptions, PeerCertificate } from 'node:tls';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { classifyError, MailError } from './errors';
import { readPresentedCertificate } from './certificate';
import { imapflowLogger, secretForms, type MailLog } from './log';
import type { AccountConfig } from '../model/types';

export interface ClientOptions {
  log: MailLog;
  /** Enables QRESYNC (RFC 7162) so expunges arrive as VANISHED with UIDs. */
  qresync?: boolean;
  /** Milliseconds; the watcher restarts IDLE this often because IDLE can die silently (imapflow #14). */
  maxIdleTime?: number;
  connectionTimeout?: number;
}

export async function connectClient(account: AccountConfig, password: string, options: ClientOptions): Promise<ImapFlow> {
  const ctx = { host: account.host, port: account.port, user: account.user };
  try {
    const client = new ImapFlow({
      host: account.host,
      port: account.port,
      secure: account.security === 'tls',
      doSTARTTLS: account.security === 'starttls' ? true : account.security === 'none' ? false : undefined,
      auth: { user: account.user, pass: password },
      tls: await tlsOptions(account),
      logger: imapflowLogger(options.log, secretForms(account.user, password)),
      qresync: options.qresync ?? false,
      maxIdleTime: options.maxIdleTime,
      connectionTimeout: options.connectionTimeout ?? 15_000,
      greetingTimeout: options.connectionTimeout ?? 15_000,
      socketTimeout: 5 * 60_000,
      clientInfo: { name: 'Mailroom', vendor: 'Mailroom' },
    } satisfies ImapFlowOptions);
    // Without an error listener before connect(), a socket timeout crashes the host (imapflow #302).
    client.on('error', (err: unknown) => options.log.warn(`connection error: ${classifyError(err, ctx).message}`));
    await client.connect();
    return client;
  } catch (err) {
    throw new MailError(classifyError(err, ctx), { cause: err });
  }
}

/**
 * A pinned certificate is trusted by making that very certificate the only CA and checking its
 * fingerprint in `checkServerIdentity`, so the credentials are never sent to any other certificate.
 */
export async function tlsOptions(account: AccountConfig): Promise<ConnectionOptions> {
  const servername = net.isIP(account.host) ? undefined : account.host;
  if (account.security === 'none' || !account.trustedCertificate) {
    return { servername, minVersion: 'TLSv1.2' };
  }
  const pinned = account.trustedCertificate.toUpperCase();
  const presented = await readPresentedCertificate(account.host, account.port, account.security);
  if (presented.fingerprint256.toUpperCase() !== pinned) {
    throw Object.assign(new Error('certificate changed'), { code: 'CERT_PINNED_MISMATCH' });
  }
  return {
    servername,
    minVersion: 'TLSv1.2',
    ca: [presented.pem],
    checkServerIdentity: (_host: string, cert: PeerCertificate) =>
      cert.fingerprint256?.toUpperCase() === pinned
        ? undefined
        : Object.assign(new Error('The server certificate is not the trusted one.'), { code: 'CERT_PINNED_MISMATCH' }),
  };
}
