/**
 * Reads the certificate a server presents, without trusting it, so the user can be shown its
 * SHA-256 fingerprint and choose to trust exactly that certificate (certificate pinning).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Security } from '../model/types';

export interface PresentedCertificate {
  /** Colon-separated upper-case hex, as Node's `fingerprint256`. */
  fingerprint256: string;
  pem: string;
  subject: string;
  issuer: string;
  validTo: string;
}

export async function readPresentedCertificate(
  host: string,
  port: number,
  security: Security,
  timeoutMs = 10_000,
): Promise<PresentedCertificate> {
  if (security === 'none') {
    throw new Error('A plain-text connection has no certificate.');
  }
  const plain = security === 'starttls' ? await openStartTls(host, port, timeoutMs) : undefined;
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      ...(plain ? { socket: plain } : { host, port }),
      servername: net.isIP(host) ? undefined : host,
      // Only to read the certificate: nothing is sent over this socket.
      rejectUnauthorized: false,
    });
    socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate(false);
      socket.destroy();
      if (!cert || !cert.raw) {
        reject(new Error('The server presented no certificate.'));
        return;
      }
      resolve({
        fingerprint256: cert.fingerprint256,
        pem: toPem(cert.raw),
        subject: formatName(cert.subject),
        issuer: formatName(cert.issuer),
        validTo: cert.valid_to,
      });
    });
    socket.once('error', reject);
  });
}

/** Speaks just enough IMAP (RFC 3501 6.2.1) to reach the TLS handshake of STARTTLS. */
function openStartTls(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let buffer = '';
    let sent = false;
    socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      if (!sent && /\r?\n/.test(buffer)) {
        sent = true;
        buffer = '';
        socket.write('M1 STARTTLS\r\n');
      } else if (sent && /^M1 (OK|NO|BAD)/m.test(buffer)) {
        socket.removeAllListeners('data');
        socket.setTimeout(0);
        if (/^M1 OK/m.test(buffer)) {
          resolve(socket);
        } else {
          socket.destroy();
          reject(new Error('The server refused STARTTLS.'));
        }
      }
    });
    socket.once('error', reject);
  });
}

function toPem(raw: Buffer): string {
  const b64 = raw.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64.trimEnd()}\n-----END CERTIFICATE-----\n`;
}

function formatName(name: tls.PeerCertificate['subject'] | undefined): string {
  if (!name) {
    return '';
  }
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}
