/**
 * A bulk FETCH of message summaries, read by a small tokenizer of our own. imapflow's generic
 * response parser costs about 50 µs per FETCH line here, more than the server and the wire
 * together (docs/imapflow-2.10.md): mirroring 100,000 messages through `fetchAll` took 4 to 5
 * times a raw socket. While one such command runs, its untagged FETCH lines are taken from
 * imapflow's stream as it cuts them (before its reader, which would take each line in a round of
 * events of its own, and before its parser) and read here; ENVELOPE and BODYSTRUCTURE lists go to imapflow's own
 * readers, so decoding (RFC 2047 words, charsets) stays imapflow's. Every other line, and any FETCH
 * line without an ENVELOPE (a flag change another client made meanwhile), goes to imapflow as usual.
 *
 * This reaches into imapflow (`exec`, `streamer.push`, `lib/tools`), pinned at 2.10.2. A line the
 * tokenizer cannot read is never dropped: the result says so, and the caller fetches the range again
 * the ordinary way.
 */
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import { readFetchLine, type ResponseData } from './fetchLine';

interface Internals {
  /** imapflow's ImapStream: cuts the server's bytes into response lines and their literals. */
  streamer: { push(item: (ResponseData & { next?: () => void }) | null): boolean };
  exec(command: string, attributes: unknown[], options?: unknown): Promise<{ next(): void }>;
}

/** The header fields fetched with each summary beyond the envelope. */
export interface SummaryItems {
  headerFields: readonly string[];
}

export interface BulkFetchResult {
  rows: FetchMessageObject[];
  /** False when a line could not be read here: fetch the range again through imapflow. */
  complete: boolean;
}

const FETCH_LINE = /^\* (\d+) FETCH \(/;

/**
 * `UID FETCH range` (or `FETCH` by sequence numbers) of UID, FLAGS, MODSEQ where the server has
 * it, ENVELOPE, RFC822.SIZE, INTERNALDATE, BODYSTRUCTURE and the header fields asked for. The
 * caller holds the mailbox lock of `client`.
 */
export async function bulkFetch(client: ImapFlow, range: string, byUid: boolean, items: SummaryItems): Promise<BulkFetchResult> {
  const internals = client as unknown as Internals;
  const rows: FetchMessageObject[] = [];
  let complete = true;
  const streamer = internals.streamer;
  const push = streamer.push;
  // Each response line imapflow's stream cuts waits for its reader to take it: a round of events
  // per line. The summaries of this command are read where the stream hands them over, and the
  // stream goes on at once; every other line goes to imapflow's reader as before.
  streamer.push = function (this: unknown, item: (ResponseData & { next?: () => void }) | null): boolean {
    if (item && item.payload) {
      const match = FETCH_LINE.exec(item.payload.toString('latin1', 0, 24));
      if (match) {
        try {
          const row = readFetchLine(item, Number(match[1]));
          if (row) {
            rows.push(row);
            item.next?.();
            return true;
          }
        } catch {
          complete = false;
        }
      }
    }
    return push.call(this, item);
  };
  try {
    const attributes: unknown[] = [
      { type: 'SEQUENCE', value: range },
      [
        ...['UID', 'FLAGS', 'ENVELOPE', 'RFC822.SIZE', 'INTERNALDATE', 'BODYSTRUCTURE'].map((value) => ({ type: 'ATOM', value })),
        ...(client.enabled.has('CONDSTORE') || client.enabled.has('QRESYNC') ? [{ type: 'ATOM', value: 'MODSEQ' }] : []),
        {
          type: 'ATOM',
          value: 'BODY.PEEK',
          section: [{ type: 'ATOM', value: 'HEADER.FIELDS' }, items.headerFields.map((value) => ({ type: 'ATOM', value: value.toUpperCase() }))],
        },
      ],
    ];
    const response = await internals.exec(byUid ? 'UID FETCH' : 'FETCH', attributes);
    response.next();
  } finally {
    // The prototype's method again (the own property only shadowed it).
    delete (streamer as Partial<Internals['streamer']>).push;
    if (streamer.push !== push) streamer.push = push;
  }
  return { rows, complete };
}
