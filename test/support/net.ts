/**
 * Small helpers shared by the test servers: a free loopback port and polling until ready.
 */
import * as net from 'node:net';

/**
 * A port nobody listens on right now. The kernel picks it when we bind port 0; we release it
 * straight away, so another process could take it before our server binds: callers that can
 * detect "address in use" retry with a new port.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not read the bound port'))));
    });
  });
}

/**
 * Calls `probe` until it returns a truthy value or `timeoutMs` passes. A probe that throws counts
 * as "not yet"; its last error goes into the timeout message, which is what one needs to debug.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  { timeoutMs = 10_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Connects to 127.0.0.1:port and resolves with the first line the server sends (or rejects). */
export function readGreeting(port: number, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let data = '';
    const finish = (error?: Error) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(data.split('\r\n')[0]);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no greeting on port ${port}`)));
    socket.on('error', finish);
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('\r\n')) finish();
    });
    socket.on('end', () => finish(new Error(`port ${port} closed without a greeting`)));
  });
}
