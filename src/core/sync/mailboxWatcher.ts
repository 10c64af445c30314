/**
 * The second connection of an account, which only listens. With NOTIFY (RFC 5465) one IDLE covers
 * every folder: the selected one sends EXISTS/EXPUNGE/FETCH, the others STATUS. Without NOTIFY it
 * IDLEs (RFC 2177) on the focused folder, and the session polls the others with STATUS.
 *
 * Some servers hold IDLE news back (Cyrus without idled, Courier: up to 60 s) but report it at once
 * in the response to any command. So when IDLE has been quiet for `quietCheckMs`, a NOOP (RFC 3501
 * 6.1.2) asks; a prompt server (Dovecot) keeps pushing between the checks and loses nothing.
 */
import type { ImapFlow } from 'imapflow';
import { Emitter, type Disposable } from '../model/events';
import { setSocketTimeout } from '../imap/imapClient';
import { execCommand, handleUntagged, type Untagged } from '../imap/imapflowInternals';
import type { MailLog } from '../imap/log';

export interface WatchedStatus {
  path: string;
  messages?: number;
  unseen?: number;
  uidNext?: number;
  highestModseq?: string;
  /** The folder's UIDVALIDITY: its MODSEQs and UIDs compare only within one (RFC 7162 3.1.1). */
  uidValidity?: string;
}

interface Token {
  value?: unknown;
}

/**
 * What the listening connection heard about one message of the folder it selected, with the UID
 * (QRESYNC makes the server send it, RFC 7162 3.2.10) and the folder's UIDVALIDITY.
 */
export type MessageReport =
  | { kind: 'flags'; path: string; uidValidity: string; uid: number; flags: Set<string>; modseq?: bigint }
  | { kind: 'vanished'; path: string; uidValidity: string; uid: number };

export interface WatcherOptions {
  allowNotify?: boolean;
  /** Milliseconds of IDLE silence after which a NOOP asks for news; 0 turns the check off. */
  quietCheckMs?: number;
  /** Whether news of the focused folder is wanted now (a folder is open); the check runs only then. */
  wantsNews?: (path: string) => boolean;
  /**
   * Runs one of the watcher's commands under the answer deadline (STYLE pattern 12): a server
   * silent that long has the connection closed, so the session reconnects.
   */
  answerWithin?: <T>(work: () => Promise<T>) => Promise<T>;
  /**
   * Milliseconds after which a quiet IDLE is checked by imapflow's watchdog (see `setSocketTimeout`),
   * so an IDLE that stops answering is noticed; the connection's own watchdog stays otherwise.
   */
  socketTimeoutMs?: number;
}

export class MailboxWatcher implements Disposable {
  private readonly changedEmitter = new Emitter<string>();
  /** A folder's content changed on the server: new, expunged or re-flagged messages. */
  readonly onDidChangeFolder = this.changedEmitter.event;
  private readonly reportEmitter = new Emitter<MessageReport>();
  /** A message of the watched folder changed flags or vanished, and the UID is known: the mirror takes it as is. */
  readonly onDidReport = this.reportEmitter.event;
  private readonly statusEmitter = new Emitter<WatchedStatus>();
  /** Counts of a folder other than the selected one, pushed by NOTIFY. */
  readonly onDidReceiveStatus = this.statusEmitter.event;
  private readonly foldersEmitter = new Emitter<string | undefined>();
  /** Folders were created, deleted or renamed elsewhere (the name the server reported, if it was read). */
  readonly onDidChangeFolderList = this.foldersEmitter.event;

  private focused: string | undefined;
  private disposed = false;
  private idleLooping = false;
  private commandsRunning = 0;
  private quietTimer: NodeJS.Timeout | undefined;
  private quietCheckMs: number;
  readonly usesNotify: boolean;

  constructor(
    private readonly client: ImapFlow,
    private readonly log: MailLog,
    private readonly options: WatcherOptions = {},
  ) {
    this.usesNotify = (options.allowNotify ?? true) && client.capabilities.has('NOTIFY');
    this.quietCheckMs = options.quietCheckMs ?? 0;
    const changed = (event: { path?: string }) => {
      // News came by itself: the quiet period starts again.
      this.armQuietCheck();
      if (event.path) {
        this.changedEmitter.fire(event.path);
      }
    };
    const uidValidity = () => client.mailbox && client.mailbox.uidValidity.toString();
    client.on('exists', (event: { path: string; count: number; prevCount: number }) => {
      // Fewer messages: the expunges are reported one by one (below). More: the new ones are fetched.
      if (event.count > event.prevCount) return changed(event);
      this.armQuietCheck();
    });
    client.on('expunge', (event: { path: string; uid?: number }) => {
      const validity = uidValidity();
      if (event.uid === undefined || !validity) return changed(event);
      this.armQuietCheck();
      this.reportEmitter.fire({ kind: 'vanished', path: event.path, uidValidity: validity, uid: event.uid });
    });
    client.on('flags', (event: { path: string; uid?: number; flags: Set<string>; modseq?: bigint }) => {
      const validity = uidValidity();
      // Without a MODSEQ a report cannot be ordered against a sync in flight: the folder catches up instead.
      if (event.uid === undefined || event.modseq === undefined || !validity) return changed(event);
      this.armQuietCheck();
      this.reportEmitter.fire({ kind: 'flags', path: event.path, uidValidity: validity, uid: event.uid, flags: event.flags, modseq: event.modseq });
    });
  }

  async start(initialFolder: string): Promise<void> {
    if (this.options.socketTimeoutMs) {
      // Set before the first IDLE goes out: imapflow times its `+` with the value then.
      setSocketTimeout(this.client, this.options.socketTimeoutMs);
    }
    if (this.usesNotify) {
      await this.enableNotify();
    }
    await this.focus(initialFolder);
  }

  /** Moves the IDLE to `path`, the folder the user looks at now. */
  async focus(path: string): Promise<void> {
    if (this.disposed || this.focused === path) {
      return;
    }
    this.focused = path;
    await this.command(() => this.client.mailboxOpen(path, { readOnly: true }));
    this.armQuietCheck();
  }

  /**
   * The folder list changed (RFC 5465 MailboxName): the watched folder may have been deleted and made
   * again under its name, which a selection never hears of (Dovecot only answers `* NO` from then
   * on). Select it anew, after this response is handled, and have the open folder catch up.
   */
  private reselect(): void {
    const path = this.focused;
    if (!path || this.disposed) return;
    setTimeout(() => {
      void this.command(async () => {
        await this.client.mailboxClose().catch(() => undefined);
        await this.client.mailboxOpen(path, { readOnly: true });
      })
        .then(() => this.focused === path && this.changedEmitter.fire(path))
        .catch((err) => this.log.debug(`selecting ${path} anew: ${(err as Error).message}`));
    }, 0);
  }

  /** Takes a new quiet period (ms; 0 turns the check off) into use at once. */
  setQuietCheck(ms: number): void {
    this.quietCheckMs = ms;
    this.armQuietCheck();
  }

  private armQuietCheck(): void {
    clearTimeout(this.quietTimer);
    if (this.disposed || this.quietCheckMs <= 0) {
      return;
    }
    this.quietTimer = setTimeout(() => void this.checkAfterQuiet(), this.quietCheckMs);
  }

  private async checkAfterQuiet(): Promise<void> {
    const path = this.focused;
    try {
      if (path && this.client.usable && (this.options.wantsNews?.(path) ?? true)) {
        // NOOP breaks the IDLE; the server reports what it held back; the loop idles again.
        await this.command(() => this.client.noop());
      }
    } catch (err) {
      // A silent server: the deadline closed the connection and the session reconnects.
      this.log.warn(`checking ${path} for news failed: ${(err as Error).message}`);
    } finally {
      this.armQuietCheck();
    }
  }

  get focusedFolder(): string | undefined {
    return this.focused;
  }

  /** Ends the listening connection, e.g. after a failed probe: the session then reconnects. */
  closeConnection(): void {
    this.client.close();
  }

  /** Probes a connection that may have died without telling (imapflow #14, #98). */
  async probe(): Promise<void> {
    await this.command(() => this.client.noop());
  }

  /**
   * Runs one of the watcher's own commands with the IDLE loop held off until it ends: imapflow's
   * SELECT is two commands (LIST, then EXAMINE), and an IDLE restarted between them would hold the
   * EXAMINE back until something broke that IDLE.
   */
  private async command<T>(work: () => Promise<T>): Promise<T> {
    this.commandsRunning++;
    try {
      return await (this.options.answerWithin ? this.options.answerWithin(work) : work());
    } finally {
      this.commandsRunning--;
      this.idle();
    }
  }

  /** Keeps one IDLE loop running; a command (SELECT, NOOP) breaks an IDLE and the loop starts the next. */
  private idle(): void {
    if (this.disposed || this.idleLooping) {
      return;
    }
    this.idleLooping = true;
    void (async () => {
      try {
        while (!this.disposed && this.client.usable && this.commandsRunning === 0) {
          try {
            await this.client.idle();
          } catch (err) {
            this.log.debug(`IDLE ended: ${(err as Error).message}`);
            return;
          }
          // Give a queued command (SELECT, NOOP) its turn before idling again.
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } finally {
        this.idleLooping = false;
      }
    })();
  }

  /** RFC 5465 3.1: the selected folder reports everything, the other personal folders STATUS. */
  private async enableNotify(): Promise<void> {
    handleUntagged(this.client, 'STATUS', async (untagged) => this.onStatus(untagged));
    // RFC 5465 5.4: MailboxName reports `* LIST` for a folder made, and `\NonExistent` for one gone.
    handleUntagged(this.client, 'LIST', async (untagged) => {
      this.foldersEmitter.fire(decodeMailboxName((untagged.attributes?.[2] as Token | undefined)?.value));
      this.reselect();
    });
    try {
      const response = await execCommand(this.client, 'NOTIFY', [
        { type: 'ATOM', value: 'SET' },
        [
          { type: 'ATOM', value: 'SELECTED' },
          [{ type: 'ATOM', value: 'MessageNew' }, { type: 'ATOM', value: 'MessageExpunge' }, { type: 'ATOM', value: 'FlagChange' }],
        ],
        [
          { type: 'ATOM', value: 'PERSONAL' },
          [
            { type: 'ATOM', value: 'MessageNew' },
            { type: 'ATOM', value: 'MessageExpunge' },
            { type: 'ATOM', value: 'FlagChange' },
            { type: 'ATOM', value: 'MailboxName' },
          ],
        ],
      ]);
      response.next();
      this.log.info('NOTIFY enabled: all folders are watched over one connection');
    } catch (err) {
      (this as { usesNotify: boolean }).usesNotify = false;
      this.log.warn(`NOTIFY refused, polling folder counts instead: ${(err as Error).message}`);
    }
  }

  private async onStatus(untagged: Untagged): Promise<void> {
    const [name, list] = untagged.attributes ?? [];
    const path = decodeMailboxName((name as Token | undefined)?.value);
    if (!path || !Array.isArray(list)) {
      return;
    }
    const status: WatchedStatus = { path };
    for (let i = 0; i + 1 < list.length; i += 2) {
      const key = String((list[i] as Token).value ?? '').toUpperCase();
      const value = String((list[i + 1] as Token).value ?? '');
      if (key === 'MESSAGES') status.messages = Number(value);
      else if (key === 'UNSEEN') status.unseen = Number(value);
      else if (key === 'UIDNEXT') status.uidNext = Number(value);
      else if (key === 'HIGHESTMODSEQ') status.highestModseq = value;
      else if (key === 'UIDVALIDITY') status.uidValidity = value;
    }
    this.statusEmitter.fire(status);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.quietTimer);
    this.changedEmitter.dispose();
    this.reportEmitter.dispose();
    this.statusEmitter.dispose();
    this.foldersEmitter.dispose();
  }
}

/** Folder names on the wire are modified UTF-7 (RFC 3501 5.1.3) unless UTF8=ACCEPT is on. */
export function decodeMailboxName(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) {
    return undefined;
  }
  const name = Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw);
  return name.replace(/&([^-]*)-/g, (_, chunk: string) => {
    if (!chunk) {
      return '&';
    }
    const bytes = Buffer.from(chunk.replace(/,/g, '/'), 'base64');
    let out = '';
    for (let i = 0; i + 1 < bytes.length; i += 2) {
      out += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
    }
    return out;
  });
}
