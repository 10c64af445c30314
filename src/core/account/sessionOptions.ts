/** How an AccountSession behaves: logging, polling and checking intervals, paging, reconnects. */
import type { MailCache } from '../cache/mailCache';
import type { MailLog } from '../imap/log';
import type { IdlePolicy } from '../sync/idlePolicy';

export interface SessionOptions {
  log: MailLog;
  /** Seconds between STATUS polls of all folders when the server has no NOTIFY. */
  pollInterval: number;
  /** Folders whose counts matter most (INBOX by default): without NOTIFY they are polled every `watchedPollSeconds`. */
  watchedFolders?: string[];
  /** Seconds between STATUS polls of the watched folders when the server has no NOTIFY (default 15). */
  watchedPollSeconds?: number;
  /**
   * Seconds of IDLE silence after which the open folder is checked with NOOP (default 10; 0: never).
   * Some servers report during IDLE only every 60 s (Cyrus without idled, Courier) but answer NOOP at once.
   */
  idleCheckSeconds?: number;
  pageSize?: number;
  /**
   * Seconds the server has to answer a command (default 30; `mailroom.timeout`). A server silent
   * that long has its connection closed: the command fails in plain words and the session
   * reconnects, instead of waiting minutes on the socket.
   */
  timeout?: number;
  /** Reconnect delays in ms; tests shorten them. */
  backoff?: { initial: number; max: number };
  /** How often the listening connection is probed with NOOP (IDLE can die silently). */
  probeInterval?: number;
  /**
   * The account's mirror: every summary of the folders opened, and the bodies that were read. Without
   * one the session keeps its mirror in memory for its lifetime.
   */
  cache?: MailCache;
  /** Summaries stored per step of a folder's background fill (default 2,000; 0: no background fill, for the benchmark). */
  fillChunk?: number;
  /**
   * How the connections idle: by default the command connection never IDLEs and is kept alive with a
   * NOOP every 2 minutes; tests let it IDLE after a short delay to exercise that path.
   */
  idle?: IdlePolicy;
  /** False to poll counts even where the server offers NOTIFY (for servers whose NOTIFY misbehaves). */
  notify?: boolean;
  /**
   * Milliseconds a connect waits for the server's first folders before it goes on with INBOX alone
   * (or the folders kept from the last listing) while the listing goes on (default 1,000).
   */
  firstFoldersWaitMs?: number;
}

/** The options that can change while a session runs (from settings). */
export type Timings = Pick<SessionOptions, 'pollInterval' | 'watchedPollSeconds' | 'idleCheckSeconds' | 'watchedFolders' | 'timeout'>;
