/**
 * The second connection of an account, which only listens. With NOTIFY (RFC 5465) one IDLE covers
 * every folder: the selected one sends EXISTS/EXPUNGE/FETCH, the others STATUS. Without NOTIFY it
 * IDLEs (RFC 2177) on the focused folder, and the session polls the others with STATUS.
 */
import type { ImapFlow } from 'imapflow';
import { Emitter, type Disposable } from './events';
import type { MailLog } from './log';

export interface WatchedStatus {
  path: string;
  messages?: number;
  unseen?: number;
  uidNext?: number;
  highestModseq?: string;
}

interface Token {
  value?: unknown;
}
interface Untagged {
  attributes?: unknown[];
}
type UntaggedHandler = (untagged: Untagged) => Promise<void>;
/** imapflow internals used here: `exec` and the connection-wide untagged handlers. */
interface ImapflowInternals {
  exec(command: string, attributes: unknown[]): Promise<{ next(): void }>;
  untaggedHandlers: Record<string, UntaggedHandler | null | undefined>;
}

export class MailboxWatcher implements Disposable {
  private readonly changedEmitter = new Emitter<string>();
  /** A folder's content changed on the server: new, expunged or re-flagged messages. */
  readonly onDidChangeFolder = this.changedEmitter.event;
  private readonly statusEmitter = new Emitter<WatchedStatus>();
  /** Counts of a folder other than the selected one, pushed by NOTIFY. */
  readonly onDidReceiveStatus = this.statusEmitter.event;
  private readonly foldersEmitter = new Emitter<void>();
  /** Folders were created, deleted or renamed elsewhere. */
  readonly onDidChangeFolderList = this.foldersEmitter.event;

  private focused: string | undefined;
  private disposed = false;
  private idleLoop: Promise<void> = Promise.resolve();
  readonly usesNotify: boolean;

  constructor(
    private readonly client: ImapFlow,
    private readonly log: MailLog,
    allowNotify = true,
  ) {
    this.usesNotify = allowNotify && client.capabilities.has('NOTIFY');
    const changed = (event: { path?: string }) => {
      if (event.path) {
        this.changedEmitter.fire(event.path);
      }
    };
    client.on('exists', changed);
    client.on('expunge', changed);
    client.on('flags', changed);
  }

  async start(initialFolder: string): Promise<void> {
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
    await this.client.mailboxOpen(path, { readOnly: true });
    this.idle();
  }

  get focusedFolder(): string | undefined {
    return this.focused;
  }

  /** Probes a connection that may have died without telling (imapflow #14, #98). */
  async probe(): Promise<void> {
    await this.client.noop();
    this.idle();
  }

  private idle(): void {
    if (this.disposed) {
      return;
    }
    // idle() resolves when another command breaks it; restart it then, one loop at a time.
    this.idleLoop = this.idleLoop.then(async () => {
      while (!this.disposed && this.client.usable) {
        try {
          await this.client.idle();
        } catch (err) {
          this.log.debug(`IDLE ended: ${(err as Error).message}`);
          return;
        }
        // Give a queued command (SELECT, NOOP) its turn before idling again.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
  }

  /** RFC 5465 3.1: the selected folder reports everything, the other personal folders STATUS. */
  private async enableNotify(): Promise<void> {
    const internals = this.client as unknown as ImapflowInternals;
    internals.untaggedHandlers.STATUS = async (untagged) => this.onStatus(untagged);
    internals.untaggedHandlers.LIST = async () => this.foldersEmitter.fire();
    try {
      const response = await internals.exec('NOTIFY', [
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
    }
    this.statusEmitter.fire(status);
  }

  dispose(): void {
    this.disposed = true;
    this.changedEmitter.dispose();
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
