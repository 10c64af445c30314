/**
 * A FETCH written right behind the SELECT of a folder, before the server has answered it (RFC 3501
 * 5.5: a client may send a command without waiting; the server answers in order). The first page of
 * a folder opened cold needs a SELECT and then a FETCH of the newest messages: waiting for the
 * SELECT's answer before asking for the page costs a round trip, and the server sits idle while
 * imapflow reads that answer. With the folder's count known from the folder list, the page's range is
 * known before the SELECT; a count that changed meanwhile makes the range miss, which the caller
 * sees (sequence numbers tell) and mends with an ordinary FETCH.
 *
 * imapflow sends one command at a time, so this reaches into it (`send`, `write`, `streamer.push`,
 * `lib/tools`) through `imapflowInternals.ts`: the FETCH goes out under a tag of its own with the SELECT's
 * frame, and its lines (summaries and tagged answer) are taken from imapflow's stream before its
 * reader could see a tag it does not know.
 */
import type { ImapFlow } from 'imapflow';
import { shadow } from './shadow';
import { writeOwnFetch, type BulkFetchResult, type SummaryItems } from './bulkFetch';
import { imapflowTools as tools, lockTaken, writingSideOf, type SentRequest as Request, type WritingSide as Internals } from './imapflowInternals';

export interface FetchBehindSelect {
  /**
   * Call once the lock is granted (or refused): a FETCH not written behind a SELECT by then never is.
   */
  disarm(): void;
  /**
   * The summaries the server sent, once it has answered; undefined when no FETCH was written (no
   * SELECT of the folder went out) or the server refused it. Every caller that takes the lock
   * awaits this before its next command, so the lines of that command are never taken for these.
   */
  result(): Promise<BulkFetchResult | undefined>;
}

/**
 * Arms `client` to write `FETCH range` of the summary items right behind the SELECT (or EXAMINE)
 * of `path` that the next mailbox lock sends. Undefined while a lock is held or waited for: a SELECT
 * of the folder sent for that one would carry the FETCH, whose sequence numbers the commands run
 * under that lock could make stale before this lock reads them.
 */
export function fetchBehindSelect(client: ImapFlow, path: string, range: string, items: SummaryItems): FetchBehindSelect | undefined {
  if (lockTaken(client)) return undefined;
  const internals = writingSideOf(client);
  const send = internals.send;
  const encoded = tools.encodePath(client, tools.normalizePath(client, path));
  /** The FETCH's result, once it is written behind the SELECT. */
  let pending: Promise<BulkFetchResult | undefined> | undefined;
  const sendThenFetch = function (this: Internals, data: Request): Promise<void> {
    const ours = (data.command === 'SELECT' || data.command === 'EXAMINE') && data.attributes?.[0]?.value === encoded;
    if (!ours) return send.call(this, data);
    // Both commands in one write: a server woken by the SELECT alone may run before the FETCH is written.
    const socket = this.writeSocket;
    socket.cork();
    try {
      return sendWithFetch.call(this, data);
    } finally {
      socket.uncork();
    }
  };
  const sendWithFetch = function (this: Internals, data: Request): Promise<void> {
    const sending = send.call(this, data);
    // The SELECT's frame is in the socket, whole (no literal waits for a continuation).
    const current = this.currentRequest;
    if (current && current.tag === data.tag && current.sent && this.commandParts.length === 0) {
      disarm();
      pending = writeOwnFetch(client, this, 'mr', range, items, 'behind the SELECT');
    }
    return sending;
  };
  const disarm = shadow(internals, 'send', sendThenFetch);
  return {
    disarm,
    async result() {
      disarm();
      return pending;
    },
  };
}
