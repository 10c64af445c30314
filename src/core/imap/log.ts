/**
 * Logging seen from core: the extension passes a `LogOutputChannel`, tests pass the console or
 * nothing. Every line goes through `redact` first so that no secret reaches a log.
 */
import type { RefusedCommandError } from './refusals';

export interface MailLog {
  trace(message: string): void;
  /**
   * Whether lines of `level` are kept; absent means all are. Lets imapflow skip turning every FETCH
   * line back into text for a log nobody reads (1.5 to 2x the cost of a large fetch).
   */
  enabled?(level: LogLevel): boolean;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export const silentLog: MailLog = {
  enabled: () => false,
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** Prefixes every line with a component tag, e.g. `[imap alice@example.com]`. */
export function taggedLog(log: MailLog, tag: string): MailLog {
  return {
    enabled: log.enabled && ((level) => log.enabled!(level)),
    trace: (m) => log.trace(`[${tag}] ${m}`),
    debug: (m) => log.debug(`[${tag}] ${m}`),
    info: (m) => log.info(`[${tag}] ${m}`),
    warn: (m) => log.warn(`[${tag}] ${m}`),
    error: (m) => log.error(`[${tag}] ${m}`),
  };
}

/** An IMAP quoted string (RFC 3501 4.3): `\` and `"` escaped by a backslash. */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * Every form in which a password can appear on the wire: as it is, as a quoted string (a server
 * that echoes the command back quotes and escapes it), inside a SASL PLAIN initial response
 * (base64 of `authzid NUL user NUL password`, RFC 4616 2) and as AUTH=LOGIN's base64 of the
 * password alone.
 */
export function secretForms(user: string, password: string): string[] {
  if (!password) {
    return [];
  }
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const forms = [password, quoted(password), quoted(password).slice(1, -1), base64(`\0${user}\0${password}`), base64(`${user}\0${user}\0${password}`), base64(password)];
  // Longest first, so that a form is not cut in two by a shorter one it contains.
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

/**
 * Removes credentials from an IMAP wire line: LOGIN arguments (RFC 3501 6.2.3), AUTHENTICATE
 * initial responses (RFC 4959), and any occurrence of a known secret (see `secretForms`), which
 * also covers continuation lines and literals that carry a password on a line of their own.
 */
export function redact(line: string, secrets: readonly string[] = []): string {
  let out = line
    .replace(/(\bLOGIN\s+("(?:[^"\\]|\\.)*"|\{\d+\+?\}|\S+)\s+)("(?:[^"\\]|\\.)*"|\{\d+\+?\}|\S+)/i, '$1"<redacted>"')
    .replace(/(\bAUTHENTICATE\s+\S+\s+)\S+/i, '$1<redacted>');
  for (const secret of secrets) {
    if (secret) {
      out = out.split(secret).join('<redacted>');
    }
  }
  return out;
}

/** What an error entry of imapflow's says: the command and the server's answer where there was one. */
function errorText(err: NonNullable<ImapflowLogEntry['err']>): string {
  if (err.responseStatus) {
    const words = err.executedCommand?.split(' ') ?? [];
    const command = (words[1] === 'UID' ? words.slice(1, 3).join(' ') : words[1]) || 'a command';
    return `${command} refused: ${err.responseStatus} ${err.responseText ?? ''}`.trim();
  }
  return `${err.code ?? 'error'}: ${err.message ?? ''}`;
}

/** One structured entry of imapflow's logger. `src` marks a wire line: `c` from us, `s` from the server. */
export interface ImapflowLogEntry {
  msg?: string;
  src?: 'c' | 's';
  err?: { message?: string; code?: string; responseStatus?: string; responseText?: string; serverResponseCode?: string; executedCommand?: string };
}

/** Dovecot's keep-alive inside IDLE, once every few seconds to minutes: folded into a count at trace. */
const STILL_HERE = /^\* OK Still here\b/i;

/** imapflow logs structured entries: wire lines (`src`) go to trace, the rest by level; all redacted. */
export function imapflowLogger(log: MailLog, secrets: readonly string[], onRefusal?: (err: RefusedCommandError) => void) {
  // imapflow's own error entries may carry only `err`: say what it was rather than log a blank line.
  const text = (entry: ImapflowLogEntry) => redact(entry.msg || (entry.err ? errorText(entry.err) : ''), secrets);
  // imapflow logs every line it reads and writes: nothing is built (nor redacted) for a level that is off.
  const off = (level: LogLevel) => log.enabled?.(level) === false;
  let stillHere = 0;
  const wire = (entry: ImapflowLogEntry, fallback: (m: string) => void, level: LogLevel) => {
    if (entry.src) {
      if (off('trace')) return;
      if (entry.src === 's' && STILL_HERE.test(entry.msg ?? '')) {
        stillHere++;
        return;
      }
      if (stillHere) {
        log.trace(`S: * OK Still here (${stillHere} times, folded)`);
        stillHere = 0;
      }
      log.trace(`${entry.src === 's' ? 'S:' : 'C:'} ${text(entry)}`);
    } else if (entry.err?.responseStatus && !entry.msg?.trim()) {
      // A command the server refused (NO, BAD): the caller says what failed, in its words, with
      // the server's (`refusals.ts`); here only what the server said, for the log at debug.
      onRefusal?.(entry.err);
      if (!off('debug')) log.debug(text(entry));
    } else if (!off(level)) {
      fallback(text(entry));
    }
  };
  return {
    // imapflow's info goes to debug (wire lines to trace, the lowest level: enabled only if all are).
    isLevelEnabled: (level: string) => log.enabled?.(level === 'info' ? 'debug' : (level as LogLevel)) ?? true,
    trace: (entry: ImapflowLogEntry) => wire(entry, log.trace, 'trace'),
    debug: (entry: ImapflowLogEntry) => wire(entry, log.debug, 'debug'),
    info: (entry: ImapflowLogEntry) => wire(entry, log.debug, 'debug'),
    warn: (entry: ImapflowLogEntry) => wire(entry, log.warn, 'warn'),
    // What imapflow counts as an error (a socket that failed, a command cut short) is a lost link to
    // us: the session reports it in plain words and reconnects, so it is a warning in our log.
    error: (entry: ImapflowLogEntry) => wire(entry, log.warn, 'warn'),
  };
}
