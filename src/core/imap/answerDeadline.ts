/**
 * Every command has a deadline (STYLE pattern 12). A server that stops answering mid-command must
 * not keep the user waiting on the socket's own timeout (minutes): while work runs on a connection,
 * the server has `ms` to send something. Silence that long closes the connection, so the session
 * reconnects, and the work rejects in plain words.
 *
 * Silence is measured, not the work's total time: a large message still arriving on a slow link
 * is a server that answers, and must not fail on every retry.
 */
import type { Socket } from 'node:net';
import type { ImapFlow } from 'imapflow';
import { MailError } from './errors';
import { isIdling, socketOf } from './imapflowInternals';
import type { MailErrorInfo } from '../model/types';

/** Why a connection was closed for its silence; read when its `close` event comes. */
const silenceReasons = new WeakMap<ImapFlow, MailErrorInfo>();

/** The plain words for a server that did not answer within `ms`. */
export function silenceInfo(server: string, ms: number, doing?: string): MailErrorInfo {
  return {
    code: 'timeout',
    message: `The server ${server} did not answer within ${seconds(ms)} s${doing ? ` while ${doing}` : ''}. Mailroom reconnects by itself; you can also retry now.`,
  };
}

/**
 * When each connection last heard from its server, outside IDLE: one listener per socket, however
 * much work waits on it. What a server sends during IDLE (Dovecot's `* OK Still here` every few
 * minutes, news of the folder) answers no command: a command queued behind an IDLE that never ends
 * must still run out of time.
 */
const lastHeard = new WeakMap<Socket, { at: number }>();

function heard(client: ImapFlow, socket: Socket): { at: number } {
  let last = lastHeard.get(socket);
  if (!last) {
    const entry = { at: Date.now() };
    socket.on('data', () => {
      if (!isIdling(client)) entry.at = Date.now();
    });
    lastHeard.set(socket, entry);
    last = entry;
  }
  return last;
}

/** Runs `work`, failing it and closing `client` when the server is silent for `ms`. */
export async function answerWithin<T>(client: ImapFlow, ms: number, silence: () => MailErrorInfo, work: () => Promise<T>): Promise<T> {
  const socket = socketOf(client);
  if (!socket || !(ms > 0)) {
    // Not connected: imapflow rejects the work at once with NoConnection.
    return work();
  }
  const last = heard(client, socket);
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<never>((_, reject) => {
    const check = () => {
      const quiet = Date.now() - Math.max(last.at, started);
      if (quiet < ms) {
        timer = setTimeout(check, ms - quiet);
        return;
      }
      const info = silence();
      silenceReasons.set(client, info);
      // close() also rejects every queued command and lock of this connection at once, so
      // nothing waits on the dead connection's mailbox lock.
      client.close();
      reject(new MailError(info));
    };
    timer = setTimeout(check, ms);
  });
  try {
    return await Promise.race([work(), silent]);
  } finally {
    clearTimeout(timer);
  }
}

/** The reason `client` was closed for its silence, if it was. */
export function silenceReason(client: ImapFlow): MailErrorInfo | undefined {
  return silenceReasons.get(client);
}

/** Runs `connecting` (connect and log in) with one deadline of `ms` for all of it. */
export async function connectWithin<T>(ms: number, connecting: Promise<T>, giveUp: () => void, silence: () => MailErrorInfo): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      giveUp();
      reject(new MailError(silence()));
    }, ms);
  });
  try {
    return await Promise.race([connecting, late]);
  } finally {
    clearTimeout(timer);
  }
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
