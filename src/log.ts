/** The one Mailroom output channel, seen by core as a plain `MailLog`. */
import * as vscode from 'vscode';
import type { LogLevel, MailLog } from './core';

export function createLog(): { channel: vscode.LogOutputChannel; log: MailLog } {
  const channel = vscode.window.createOutputChannel('Mailroom', { log: true });
  const rank: Record<LogLevel, vscode.LogLevel> = {
    trace: vscode.LogLevel.Trace,
    debug: vscode.LogLevel.Debug,
    info: vscode.LogLevel.Info,
    warn: vscode.LogLevel.Warning,
    error: vscode.LogLevel.Error,
  };
  const log: MailLog = {
    enabled: (level) => channel.logLevel !== vscode.LogLevel.Off && channel.logLevel <= rank[level],
    trace: (m) => channel.trace(m),
    debug: (m) => channel.debug(m),
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m) => channel.error(m),
  };
  return { channel, log };
}
