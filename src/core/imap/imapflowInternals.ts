/**
 * The one door into imapflow's internals, pinned at 2.10.2. Everything in Mailroom that reaches past
 * imapflow's public API goes through here, so this is the one file to read when imapflow is
 * upgraded (check each member of `Internals` against `dist/cjs/imap-flow.js`).
 *
 * What it keeps intact is imapflow's own state machine. Its public methods all pass through
 * `run()`, which clears the auto-IDLE timer and awaits `preCheck()` (set while an IDLE is in
 * progress: it sends DONE and waits for the IDLE's tagged OK, RFC 2177 3) before the command is
 * queued, then re-arms auto-IDLE. Its `exec()` does none of that: a command queued through it while
 * the connection idles waits behind the IDLE until something else ends it, and the user watches
 * "Loading…" until the answer deadline closes the connection. `execCommand` here does what `run()`
 * does, so no command of ours is ever queued behind an IDLE.
 *
 * Used for: commands imapflow has no method for (PREVIEW, NOTIFY, a NOOP whose `* NO` matters, a
 * FETCH whose lines we read ourselves), lines taken off its stream as it cuts them (`streamer.push`)
 * or cut from its input before it does (`processChunkSegment`, `wholeResponses.ts`),
 * a FETCH written right behind a SELECT (`send`, `write`), the socket (deadlines, timeouts), the
 * connection-wide untagged handlers (NOTIFY's STATUS and LIST), a LIST read line by line
 * (`listReader.ts`, through `execCommand`), and `lib/tools` (path encoding and decoding, envelope
 * and body structure readers, encoded words).
 */
import type { Socket } from 'node:net';
import type { ImapFlow, ListResponse, MessageEnvelopeObject, MessageStructureObject } from 'imapflow';

/** A line as imapflow's stream cuts it: the text with `{n}` marks, the literals in order, and its release. */
export interface StreamItem {
  payload: Buffer;
  literals: Buffer[];
  next?: () => void;
}
export type StreamPush = (item: StreamItem | null) => boolean;

/**
 * imapflow's stream (`handler/imap-stream.js`) as its line cutter keeps it: `processChunkSegment`
 * cuts lines and literals from the chunk at `start` and returns where to go on (null: the chunk is
 * done); between responses its state is LINE (1) with no part of a response held.
 */
export interface ImapStreamCutter {
  push: StreamPush;
  processChunkSegment(chunk: Buffer, start: number): Promise<number | null>;
  state: number;
  lineBuffer: unknown[];
  inputBuffer: unknown[];
  literals: unknown[];
  destroyed: boolean;
  maxLineLength: number;
  maxLiteralSize: number;
  maxResponseSize: number;
}
/** `ImapStreamCutter.state` between lines (imap-stream.js `LINE`). */
export const STREAM_LINE_STATE = 1;

/** What imapflow's `send()` is given for one queued command. */
export interface SentRequest {
  tag: string;
  command: string;
  attributes?: { value?: unknown }[];
}

/** The members of imapflow's writing side that a command written behind another uses. */
export interface WritingSide {
  send(data: SentRequest): Promise<void>;
  write(chunk: string): void;
  /** The socket commands go to (a TLS or deflate stream over it where those are on). */
  writeSocket: { cork(): void; uncork(): void };
  commandParts: unknown[];
  currentRequest?: { tag: string; command?: string; sent?: boolean } | false;
  log: { debug(entry: { src: 'c'; msg: string; cid: string }): void };
  id: string;
}

export interface Untagged {
  attributes?: unknown[];
}
export type UntaggedHandler = (untagged: Untagged) => Promise<void>;
export type ExecOptions = { untagged?: Record<string, UntaggedHandler> };

interface Internals extends WritingSide {
  exec(command: string, attributes: unknown[], options?: ExecOptions): Promise<{ next(): void }>;
  run(command: string, ...args: unknown[]): Promise<unknown>;
  /** Set while an IDLE is in progress: ends it (DONE, then the IDLE's tagged OK). */
  preCheck?: (() => Promise<void>) | false;
  idleStartTimer?: NodeJS.Timeout;
  autoidle(): void;
  connectionBusy(): boolean;
  idling: boolean;
  streamer: ImapStreamCutter;
  socket?: Socket | null;
  socketTimeout: number;
  untaggedHandlers: Record<string, UntaggedHandler | null | undefined>;
  /** The mailbox lock held now, and those waiting for it. */
  currentLock: unknown;
  locks: unknown[];
  /** Commands queued behind the one in flight (`currentRequest`). */
  requestQueue: unknown[];
}

function inside(client: ImapFlow): Internals {
  return client as unknown as Internals;
}

/**
 * imapflow's `exec`, entered the way its public methods enter it (`run()`): the auto-IDLE timer is
 * cleared, an IDLE in progress is ended and its OK awaited before the command is queued, and
 * auto-IDLE is re-armed afterwards. The caller calls `next()` on the response (imapflow's reader
 * waits for it).
 */
export async function execCommand(client: ImapFlow, command: string, attributes: unknown[], options?: ExecOptions): Promise<{ next(): void }> {
  const internals = inside(client);
  clearTimeout(internals.idleStartTimer);
  try {
    if (typeof internals.preCheck === 'function') {
      await internals.preCheck();
    }
    return await internals.exec(command, attributes, options);
  } finally {
    internals.autoidle();
  }
}

/** LIST with one pattern (imapflow's public `list()` always asks for `*`), through `run()`. */
export async function runList(
  client: ImapFlow,
  pattern: string,
  options: { listOnly: boolean; statusQuery?: Record<string, boolean> },
): Promise<ListResponse[] | undefined> {
  const list = await inside(client).run('LIST', '', pattern, options);
  return Array.isArray(list) ? (list as ListResponse[]) : undefined;
}

/** imapflow's stream, whose `push` hands each cut line to its reader (shadow it to take lines first). */
export function streamOf(client: ImapFlow): ImapStreamCutter {
  return inside(client).streamer;
}

/** imapflow's writing side, whose `send` may be shadowed for one command. */
export function writingSideOf(client: ImapFlow): WritingSide {
  return inside(client);
}

/** Whether a mailbox lock is held on `client` or waited for. */
export function lockTaken(client: ImapFlow): boolean {
  const internals = inside(client);
  return Boolean(internals.currentLock || internals.locks.length);
}

/** Whether work waits for the mailbox lock of `client` (the user's own commands wait there). */
export function lockWaited(client: ImapFlow): boolean {
  return inside(client).locks.length > 0;
}

/** Whether imapflow has a command in flight or queued on `client`, or is in IDLE: then nothing may be written behind its back. */
export function commandPending(client: ImapFlow): boolean {
  const internals = inside(client);
  return Boolean(internals.currentRequest || internals.requestQueue.length || internals.idling || internals.preCheck);
}

/** Whether anything is in flight or queued on `client` (a lock, a command, a download). */
export function connectionBusy(client: ImapFlow): boolean {
  return inside(client).connectionBusy();
}

/** Whether `client` is in IDLE now. */
export function isIdling(client: ImapFlow): boolean {
  return Boolean(inside(client).idling);
}

/** The socket under `client`, while connected. */
export function socketOf(client: ImapFlow): Socket | undefined {
  return inside(client).socket ?? undefined;
}

/** Sets imapflow's socket watchdog to `ms` of quiet (see `setSocketTimeout` in imapClient.ts). */
export function setWatchdog(client: ImapFlow, ms: number): void {
  const internals = inside(client);
  internals.socketTimeout = ms;
  internals.socket?.setTimeout?.(ms);
}

/** Installs a connection-wide handler for an untagged response (NOTIFY's STATUS and LIST, RFC 5465). */
export function handleUntagged(client: ImapFlow, name: string, handler: UntaggedHandler): void {
  inside(client).untaggedHandlers[name] = handler;
}

/** Tokens in imapflow's shapes, for its readers: NIL is null, a list an array. */
export type ImapflowToken = { type: 'ATOM' | 'STRING' | 'LITERAL'; value: string | Buffer } | null | ImapflowToken[];

/** imapflow's `lib/tools`: path encoding and decoding, and its readers of envelopes, body structures and encoded words. */
export interface ImapflowTools {
  /** With `skipNamespace`, a path or pattern is taken as it is, without the personal namespace's prefix. */
  normalizePath(client: ImapFlow, path: string, skipNamespace?: boolean): string;
  encodePath(client: ImapFlow, path: string): string;
  /** A name as listed, decoded from modified UTF-7 (RFC 3501 5.1.3) unless UTF8=ACCEPT is on. */
  decodePath(client: ImapFlow, path: string): string;
  parseEnvelope(list: ImapflowToken[]): MessageEnvelopeObject;
  parseBodystructure(list: ImapflowToken[]): MessageStructureObject;
  /** MIME parameters from a BODYSTRUCTURE list of names and values, RFC 2231 continuations and encoded words decoded. */
  getStructuredParams(list: ImapflowToken[]): Record<string, string>;
  decodeText(value: string): string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const imapflowTools = require('imapflow/lib/tools.js') as ImapflowTools;
