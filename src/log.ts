/** The one Mailroom output channel, seen by core as a plain `MailLog`. */
import * as vscode from 'vscode';
import type { MailLog } from './core/log';

export function createLog(): { channel: vscode.LogOutputChannel; log: MailLog } {
  const channel = vscode.window.createOutputChannel('Mailroom', { log: true });
  const log: MailLog = {
    trace: (m) => channel.trace(m),
    debug: (m) => channel.debug(m),
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m) => channel.error(m),
  };
  return { channel, log };
}
