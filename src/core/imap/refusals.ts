/**
 * What the server said when it refused a command. imapflow's convenience methods (`messageMove`,
 * `messageCopy`, `messageFlagsAdd`, `messageDelete`, `search`) answer a NO or BAD with `false` and
 * keep the server's words for their log entry only; the logger (`imapflowLogger`) hands them here,
 * per connection, so that the caller can say them and tell a refusal that may pass (RFC 5530:
 * `[INUSE]`, `[UNAVAILABLE]`; a throttled request) from one that will not.
 */

export interface Refusal {
  /** NO or BAD (RFC 3501 7.1). */
  status: string;
  /** The response code (RFC 5530), without brackets: OVERQUOTA, INUSE, NONEXISTENT, … */
  code?: string;
  /** The server's human-readable words. */
  text: string;
  /** Worth trying again in a while: the resource is busy, the server briefly unable, or throttling. */
  temporary: boolean;
}

/** RFC 5530 codes for refusals that may pass by themselves. */
const TEMPORARY_CODES = new Set(['INUSE', 'UNAVAILABLE']);

const lastRefusals = new WeakMap<object, Refusal>();

/** What imapflow's error of a refused command carries (`responseStatus`, `serverResponseCode`, `responseText`). */
export interface RefusedCommandError {
  responseStatus?: string;
  serverResponseCode?: string;
  responseText?: string;
  code?: string;
}

/** Keeps `err`, a refused command's error, as the last refusal on `client`. */
export function noteRefusal(client: object, err: RefusedCommandError): void {
  if (err.responseStatus !== 'NO' && err.responseStatus !== 'BAD') return;
  const code = err.serverResponseCode?.toUpperCase();
  lastRefusals.set(client, {
    status: err.responseStatus,
    code,
    text: (err.responseText ?? '').replace(/^\[[^\]]*\]\s*/, '').trim(),
    temporary: (code !== undefined && TEMPORARY_CODES.has(code)) || err.code === 'ETHROTTLE',
  });
}

/**
 * The refusal of the command that just failed on `client`, and forgets it. Commands on a connection
 * run one at a time (the caller holds its lock), so the last refusal is that command's.
 */
export function takeRefusal(client: object): Refusal | undefined {
  const refusal = lastRefusals.get(client);
  lastRefusals.delete(client);
  return refusal;
}
