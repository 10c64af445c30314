/**
 * A bulk FETCH of message summaries, read by a small tokenizer of our own. imapflow's generic
 * response parser costs about 50 µs per FETCH line here, more than the server and the wire
 * together (docs/imapflow-2.10.md): mirroring 100,000 messages through `fetchAll` took 4 to 5
 * times a raw socket. While one such command runs, its untagged FETCH lines are taken from
 * imapflow's stream as it cuts them (`takeSummaryLines`: before its reader, which would take each
 * line in a round of events of its own, and before its parser) and read here; ENVELOPE and
 * BODYSTRUCTURE lists go to imapflow's own readers, so decoding (RFC 2047 words, charsets) stays
 * imapflow's. Every other line, and any FETCH line without an ENVELOPE (a flag change another
 * client made meanwhile), goes to imapflow as usual. `fetchBehindSelect.ts` takes the lines of a
 * FETCH written behind a SELECT the same way.
 *
 * This reaches into imapflow (`exec`, `streamer.push`, its cutter, `lib/tools`) through `imapflowInternals.ts`. A line the
 * tokenizer cannot read is never dropped: the result says so, and the caller fetches the range again
 * the ordinary way.
 */
import type { ImapFlow } from 'imapflow';
import { readFetchLine, type SummaryLine } from './fetchLine';
import { execCommand, streamOf, type StreamItem, type WritingSide } from './imapflowInternals';
import { shadow } from './shadow';
import { cutFetchResponses } from './wholeResponses';

/** The header fields fetched with each summary beyond the envelope. */
export interface SummaryItems {
  headerFields: readonly string[];
}

export interface BulkFetchResult {
  rows: SummaryLine[];
  /** False when a line could not be read here: fetch the range again through imapflow. */
  complete: boolean;
}

const FETCH_LINE = /^\* (\d+) FETCH \(/;

/** The list of summary items as FETCH names them, by whether MODSEQ is asked and by header fields. */
const itemLists = new Map<string, string>();

/** The summary items, as FETCH names them, in parentheses; MODSEQ where CONDSTORE or QRESYNC is on (RFC 7162 3.1.4). */
export function summaryItemList(client: ImapFlow, items: SummaryItems): string {
  const modseq = client.enabled.has('CONDSTORE') || client.enabled.has('QRESYNC');
  const key = `${modseq} ${items.headerFields.join(' ')}`;
  let list = itemLists.get(key);
  if (list === undefined) {
    const fields = items.headerFields.map((name) => name.toUpperCase()).join(' ');
    list = `(UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODYSTRUCTURE${modseq ? ' MODSEQ' : ''} BODY.PEEK[HEADER.FIELDS (${fields})])`;
    itemLists.set(key, list);
  }
  return list;
}

/** The tagged answer of a command written behind imapflow's back, which its reader must never see. */
export interface OwnTag {
  tag: string;
  /** `OK`, `NO` or `BAD`, and the rest of the line. */
  answered(status: string, text: string): void;
}

/**
 * Takes the summary lines (FETCH lines with an ENVELOPE) from imapflow's stream as it cuts them,
 * into `into`, until the returned function is called; with `own`, also the tagged answer of that
 * command (which ends the taking). Each line imapflow's stream cuts waits for its reader to take
 * it, a round of events per line: the summaries are read where the stream hands them over, and the
 * stream goes on at once. Every other line goes on to imapflow's reader (or to the taker below).
 */
export function takeSummaryLines(client: ImapFlow, into: BulkFetchResult, own?: OwnTag): () => void {
  const streamer = streamOf(client);
  const below = streamer.push;
  const ownTag = own ? `${own.tag} ` : undefined;
  let taking = true;
  const take = function (this: unknown, item: StreamItem | null): boolean {
    if (taking && item && item.payload) {
      const head = item.payload.toString('latin1', 0, 24);
      const match = FETCH_LINE.exec(head);
      if (match) {
        try {
          const row = readFetchLine(item, Number(match[1]));
          if (row) {
            into.rows.push(row);
            item.next?.();
            return true;
          }
        } catch {
          into.complete = false;
        }
      } else if (ownTag && own && head.startsWith(ownTag)) {
        const rest = item.payload.toString('latin1').slice(ownTag.length);
        const space = rest.indexOf(' ');
        release();
        item.next?.();
        own.answered((space < 0 ? rest : rest.slice(0, space)).toUpperCase(), space < 0 ? '' : rest.slice(space + 1));
        return true;
      }
    }
    return below.call(this, item);
  };
  const unshadow = shadow(streamer, 'push', take);
  // Whole FETCH responses are cut here before imapflow's cutter (wholeResponses.ts), and go to `take` at once.
  const uncut = cutFetchResponses(streamer, (item) => take.call(streamer, item));
  const release = () => {
    taking = false;
    uncut();
    unshadow();
  };
  return release;
}

let ownTags = 0;

/**
 * Writes `FETCH range` of the summary items on `writer` behind imapflow's back, under a tag of its
 * own (`prefix` and a number), and takes its lines and tagged answer from the stream. The promise
 * gives the summaries once the server answered OK, undefined when it refused or the connection
 * closed (never an empty answer); undefined instead of a promise when the write failed.
 */
export function writeOwnFetch(client: ImapFlow, writer: WritingSide, prefix: string, range: string, items: SummaryItems, why: string): Promise<BulkFetchResult | undefined> | undefined {
  const tag = `${prefix}${++ownTags}`;
  const fetched: BulkFetchResult = { rows: [], complete: true };
  let settle: (status: string | undefined) => void = () => undefined;
  const answer = new Promise<string | undefined>((resolve) => (settle = resolve));
  const closed = () => {
    release();
    settle(undefined);
  };
  const release = takeSummaryLines(client, fetched, {
    tag,
    answered: (status) => {
      client.off('close', closed);
      settle(status);
    },
  });
  const line = `${tag} FETCH ${range} ${summaryItemList(client, items)}`;
  try {
    writer.write(line);
  } catch {
    release();
    return undefined;
  }
  writer.log.debug({ src: 'c', msg: `${line} (${why})`, cid: writer.id });
  client.once('close', closed);
  return answer.then((status) => (status === 'OK' ? fetched : undefined));
}

/**
 * `UID FETCH range` (or `FETCH` by sequence numbers) of UID, FLAGS, MODSEQ where the server has
 * it, ENVELOPE, RFC822.SIZE, INTERNALDATE, BODYSTRUCTURE and the header fields asked for. The
 * caller holds the mailbox lock of `client`.
 */
export async function bulkFetch(client: ImapFlow, range: string, byUid: boolean, items: SummaryItems): Promise<BulkFetchResult> {
  const result: BulkFetchResult = { rows: [], complete: true };
  const release = takeSummaryLines(client, result);
  try {
    // The items as one piece of text: imapflow's compiler would check each atom of a fixed list.
    const attributes: unknown[] = [
      { type: 'SEQUENCE', value: range },
      { type: 'TEXT', value: summaryItemList(client, items) },
    ];
    const response = await execCommand(client, byUid ? 'UID FETCH' : 'FETCH', attributes);
    response.next();
  } finally {
    release();
  }
  return result;
}
