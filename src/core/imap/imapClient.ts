/**
 * Builds and connects one imapflow client for an account. Knows about security modes and
 * certificate pinning; knows nothing about folders.
 */
import * as net from 'node:net';
import type { ConnectionOptions, PeerCertificate } from 'node:tls';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { connectWithin, silenceInfo } from './answerDeadline';
import { setWatchdog } from './imapflowInternals';
import { classifyError, MailError, withoutSecrets } from './errors';
import { readPresentedCertificate } from './certificate';
import { imapflowLogger, secretForms, type MailLog } from './log';
import { noteRefusal } from './refusals';
import type { AccountConfig } from '../model/types';

export interface ClientOptions {
  log: MailLog;
  /** Enables QRESYNC (RFC 7162) so expunges arrive as VANISHED with UIDs. */
  qresync?: boolean;
  /** Milliseconds; the watcher restarts IDLE this often because IDLE can die silently (imapflow #14). */
  maxIdleTime?: number;
  /**
   * Milliseconds the server has to answer (default 30 s): connecting, the greeting and the login
   * together must finish within it.
   */
  answerTimeout?: number;
  /**
   * imapflow's automatic IDLE, which starts after this many milliseconds without a command (its
   * default: 15 s); false: never. The command connection does not IDLE (see README, Develop).
   */
  autoIdle?: number | false;
}

/**
 * imapflow's socket watchdog takes a quiet connection with no folder selected for dead. The command
 * connection can be so (after a failed SELECT) and has a deadline per command instead, so it keeps
 * this long backstop; the listening connection, always in IDLE, is tightened (`setSocketTimeout`).
 */
const SOCKET_TIMEOUT_BACKSTOP = 5 * 60_000;

export async function connectClient(account: AccountConfig, password: string, options: ClientOptions): Promise<ImapFlow> {
  const ctx = { host: account.host, port: account.port, user: account.user };
  const answerTimeout = options.answerTimeout ?? 30_000;
  try {
    // The logger keeps the server's words of a refused command with the client it logs for (`refusals.ts`).
    const client: ImapFlow = new ImapFlow({
      host: account.host,
      port: account.port,
      secure: account.security === 'tls',
      doSTARTTLS: account.security === 'starttls' ? true : account.security === 'none' ? false : undefined,
      auth: { user: account.user, pass: password },
      tls: await tlsOptions(account),
      logger: imapflowLogger(options.log, secretForms(account.user, password), (err) => noteRefusal(client, err)),
      qresync: options.qresync ?? false,
      maxIdleTime: options.maxIdleTime,
      disableAutoIdle: options.autoIdle === false,
      autoIdleDelay: typeof options.autoIdle === 'number' ? options.autoIdle : undefined,
      // Backstops only: the deadline below covers the TCP connect and the greeting as well, and
      // ends first, so a silent server is always reported in the same words.
      connectionTimeout: answerTimeout + 1_000,
      greetingTimeout: answerTimeout + 1_000,
      socketTimeout: SOCKET_TIMEOUT_BACKSTOP,
      clientInfo: { name: 'Mailroom', vendor: 'Mailroom' },
    } satisfies ImapFlowOptions);
    // Without an error listener before connect(), a socket timeout crashes the host (imapflow #302).
    client.on('error', (err: unknown) => options.log.warn(`connection error: ${classifyError(err, ctx).message}`));
    // One deadline for the whole: TCP connect, greeting, CAPABILITY, STARTTLS, LOGIN, ENABLE.
    await connectWithin(answerTimeout, client.connect(), () => client.close(), () => silenceInfo(account.host, answerTimeout, 'connecting and logging in'));
    return client;
  } catch (err) {
    // The library's error may hold what the server echoed of the login (its `response`): no secret
    // stays in any error object, its cause included.
    const clean = withoutSecrets(err, secretForms(account.user, password));
    throw new MailError(classifyError(clean, ctx), { cause: clean });
  }
}

/**
 * Sets imapflow's socket watchdog on a connection that is listening (IDLE, RFC 2177): after `ms`
 * of quiet it breaks the IDLE with a NOOP, and a NOOP unanswered for another `ms` closes the
 * connection; an IDLE not acknowledged with `+` within `ms` closes it too. So a listening
 * connection that died without telling is noticed within twice the answer timeout.
 */
export function setSocketTimeout(client: ImapFlow, ms: number): void {
  setWatchdog(client, ms);
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
