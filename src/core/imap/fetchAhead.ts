/**
 * The next chunk of summaries asked for while the last one is stored. A full mirror fetches a
 * folder a chunk at a time, and storing a chunk (mapping its summaries and writing them through
 * WebAssembly) takes about as long as the server takes to send the next: asked for one after the
 * other, each waits for the other; asked for ahead, the server sends the next chunk into the socket
 * while this one is stored (RFC 3501 5.5: a client may send a command without waiting).
 *
 * imapflow keeps one command in flight, so the FETCH is written behind its back under a tag of its
 * own, through `imapflowInternals.ts`, and only while imapflow has nothing in flight, queued or in
 * IDLE: its lines (summaries and tagged answer) are taken from imapflow's stream before its reader
 * could see a tag it does not know, and imapflow's own next command is answered after them. The
 * caller awaits `result()` before it lets the connection go. A connection that closes meanwhile
 * (the answer deadline closes a silent one) gives no result, never an empty one.
 */
import type { ImapFlow } from 'imapflow';
import { writeOwnFetch, type BulkFetchResult, type SummaryItems } from './bulkFetch';
import { commandPending, writingSideOf } from './imapflowInternals';

export interface FetchAhead {
  /** The summaries, once the server has answered OK; undefined when it refused or the connection closed. */
  result(): Promise<BulkFetchResult | undefined>;
}

/** Writes `FETCH range` of the summary items now, or returns undefined when imapflow is busy and it may not. */
export function fetchAhead(client: ImapFlow, range: string, items: SummaryItems): FetchAhead | undefined {
  if (!client.usable || commandPending(client)) return undefined;
  const pending = writeOwnFetch(client, writingSideOf(client), 'ma', range, items, 'ahead');
  return pending && { result: () => pending };
}
