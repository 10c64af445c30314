/**
 * A stand-in for someone else's IMAP server: it greets like one, records every connection and every
 * line it is sent, and refuses every login. Tests point settings at it to prove that no password
 * (indeed no connection) reaches a server the user did not give the password for.
 */
import * as net from 'node:net';
import { freePort } from './net';

export interface LoginRecorder {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Every line received, in order. */
  readonly lines: readonly string[];
  stop(): Promise<void>;
}

/**
 * With `echo`, it offers plain LOGIN only and refuses it with the line it was sent in its tagged
 * answer, as some servers put the command into their error text.
 */
export async function startLoginRecorder(options: { echo?: boolean } = {}): Promise<LoginRecorder> {
  let connections = 0;
  const lines: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const capabilities = options.echo ? 'IMAP4rev1' : 'IMAP4rev1 AUTH=PLAIN';
    socket.write(`* OK [CAPABILITY ${capabilities}] ready\r\n`);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        lines.push(line);
        const tag = line.split(' ')[0];
        if (/^\S+ CAPABILITY/i.test(line)) socket.write(`* CAPABILITY ${capabilities}\r\n${tag} OK done\r\n`);
        else if (/^\S+ LOGOUT/i.test(line)) socket.end(`* BYE\r\n${tag} OK bye\r\n`);
        else if (options.echo) socket.write(`${tag} NO [AUTHENTICATIONFAILED] refused: ${line}\r\n`);
        else socket.write(`${tag} NO [AUTHENTICATIONFAILED] recorded\r\n`);
      }
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port,
    get connections() {
      return connections;
    },
    lines,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
