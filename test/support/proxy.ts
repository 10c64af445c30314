/**
 * A tiny proxy in front of a test Dovecot, for server behaviour Dovecot does not have: a server
 * that echoes what the client sent, or one that presents a different TLS certificate on a later
 * connection (what an interceptor could do between Mailroom's certificate check and its login).
 * Binds 127.0.0.1 only; `close()` ends every connection.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';

export interface ProxyOptions {
  /** Terminate TLS with this key and certificate (PEM); the connection to the target is plain. */
  tls?: { key: string; cert: string };
  /** With `tls`: the certificate every connection after the first one gets. */
  laterTls?: { key: string; cert: string };
  /**
   * Sees each line the client sends and may return extra lines for the proxy to send the client
   * (as if the server had said them) before the server's own answer.
   */
  onClientLine?: (line: string) => string | undefined;
}

export interface TestProxy {
  port: number;
  /** TCP connections accepted so far, whether or not a TLS handshake completed. */
  connections: number;
  /** Bytes the client sent that reached the target, all connections together. */
  forwarded: string;
  /** For TLS: present another certificate to every connection from now on. */
  setCertificate(key: string, cert: string): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number, options: ProxyOptions = {}): Promise<TestProxy> {
  const sockets = new Set<net.Socket>();
  const state = { connections: 0, forwarded: '' };
  const handle = (client: net.Socket) => {
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    sockets.add(client).add(upstream);
    let pending = '';
    client.on('data', (chunk: Buffer) => {
      state.forwarded += chunk.toString('latin1');
      if (options.onClientLine) {
        pending += chunk.toString('latin1');
        let end: number;
        while ((end = pending.indexOf('\r\n')) >= 0) {
          const extra = options.onClientLine(pending.slice(0, end));
          pending = pending.slice(end + 2);
          if (extra) client.write(extra);
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', end);
    }
  };
  const server: net.Server = options.tls
    ? tls.createServer({ key: options.tls.key, cert: options.tls.cert }, handle)
    : net.createServer(handle);
  server.on('tlsClientError', () => undefined);
  // Listeners run after the TLS server's own, which has already given this socket its context.
  server.on('connection', () => {
    if (++state.connections === 1 && options.laterTls) (server as tls.Server).setSecureContext(options.laterTls);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return state.connections;
    },
    get forwarded() {
      return state.forwarded;
    },
    setCertificate(key, cert) {
      (server as tls.Server).setSecureContext({ key, cert });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
