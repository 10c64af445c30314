/**
 * Logging seen from core: the extension passes a `LogOutputChannel`, tests pass the console or
 * nothing. Every line goes through `redact` first so that no secret reaches a log.
 */
export interface MailLog {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLog: MailLog = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** Prefixes every line with a component tag, e.g. `[imap alice@example.com]`. */
export function taggedLog(log: MailLog, tag: string): MailLog {
  return {
    trace: (m) => log.trace(`[${tag}] ${m}`),
    debug: (m) => log.debug(`[${tag}] ${m}`),
    info: (m) => log.info(`[${tag}] ${m}`),
    warn: (m) => log.warn(`[${tag}] ${m}`),
    error: (m) => log.error(`[${tag}] ${m}`),
  };
}

/**
 * Removes credentials from an IMAP wire line: LOGIN arguments (RFC 3501 6.2.3), AUTHENTICATE
 * initial responses and continuation payloads (RFC 4959), and any literal occurrence of a known secret.
 */
export function redact(line: string, secrets: readonly string[] = []): string {
  let out = line
    .replace(/(\bLOGIN\s+("(?:[^"\\]|\\.)*"|\S+)\s+)("(?:[^"\\]|\\.)*"|\{\d+\+?\}|\S+)/i, '$1"<redacted>"')
    .replace(/(\bAUTHENTICATE\s+\S+\s+)\S+/i, '$1<redacted>');
  for (const secret of secrets) {
    if (secret) {
      out = out.split(secret).join('<redacted>');
    }
  }
  return out;
}
