/**
 * An account's two long-lived connections, one for commands and one that only listens, and their
 * life: the password asked for on every connect, one attempt at a time, offline at once when a link
 * drops, and reconnection with backoff. What runs on the connections belongs to others; they plug in
 * through the hooks: `prepare` before the account counts as online, `closing` before the
 * connections go.
 */
import type { ImapFlow } from 'imapflow';
import { fixedPassword, type CredentialProvider } from '../imap/credentials';
import { classifyError, MailError } from '../imap/errors';
import { connectClient } from '../imap/imapClient';
import { taggedLog, type MailLog } from '../imap/log';
import { DisposableBase } from '../model/events';
import type { AccountConfig, ConnectionState } from '../model/types';
import { Backoff } from './backoff';

export interface ConnectionPair {
  commands: ImapFlow;
  watch: ImapFlow;
}

export interface ConnectionHooks {
  /** Runs on new connections before the account is online; a failure fails the attempt. */
  prepare(pair: ConnectionPair): Promise<void>;
  /** The account is online. */
  online(): void;
  /** The connections are about to close: stop using them. */
  closing(): void;
}

export class AccountConnections extends DisposableBase {
  private readonly stateEmitter = this.emitter<ConnectionState>();
  readonly onDidChangeState = this.stateEmitter.event;

  private pair: ConnectionPair | undefined;
  private connecting: Promise<void> | undefined;
  private state: ConnectionState = { kind: 'offline', reason: 'Not connected yet.' };
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly credentials: CredentialProvider;

  constructor(
    private readonly account: AccountConfig,
    credentials: string | CredentialProvider,
    private readonly log: MailLog,
    private readonly hooks: ConnectionHooks,
    backoff: { initial: number; max: number } = { initial: 1_000, max: 60_000 },
  ) {
    super();
    // Asked on every connect: the password may have been re-entered, or its server changed.
    this.credentials = typeof credentials === 'string' ? fixedPassword(credentials, account.name) : credentials;
    this.backoff = new Backoff(backoff.initial, backoff.max);
    this.register({ dispose: () => clearTimeout(this.retryTimer) });
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** Connects if not connected. Resolves when online; rejects with a MailError otherwise. */
  connect(): Promise<void> {
    if (this.state.kind === 'online' && this.pair?.commands.usable) {
      return Promise.resolve();
    }
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** Forgets the backoff and tries now: the user pressed Retry. */
  retry(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.backoff.reset();
    return this.connect();
  }

  /** The command connection, or a plain-words error while offline. */
  commands(): ImapFlow {
    const commands = this.pair?.commands;
    if (!commands?.usable) {
      throw new MailError({ code: 'dropped', message: `${this.account.name} is offline. Mailroom reconnects by itself; you can also retry now.` });
    }
    return commands;
  }

  /** Whether the server offers `capability` (RFC 3501 7.2.1), as far as is known now. */
  has(capability: string): boolean {
    return this.pair?.commands.capabilities.has(capability) ?? false;
  }

  /** Runs `work` with `path` selected, under the command connection's mailbox lock. */
  async inFolder<T>(path: string, work: (client: ImapFlow) => Promise<T>): Promise<T> {
    await this.connect();
    const client = this.commands();
    try {
      const lock = await client.getMailboxLock(path);
      try {
        return await work(client);
      } finally {
        lock.release();
      }
    } catch (err) {
      if (!client.usable && !(err instanceof MailError)) {
        // The connection died under the work: whatever the command said, the cause is the drop.
        throw new MailError({ code: 'dropped', message: `The connection to ${this.account.name} was lost while working on ${path}.` }, { cause: err });
      }
      throw err;
    }
  }

  /**
   * Runs `work` on the command connection with its selection held still (under the mailbox lock of
   * whatever is selected, INBOX if nothing is), so no STATUS meets the selected folder (RFC 3501
   * 6.3.10). No connect() here: this also runs while connecting, which connect() would wait for.
   */
  async withSelectionHeld<T>(work: (client: ImapFlow, selectedPath: string) => Promise<T>): Promise<T> {
    const client = this.commands();
    const lock = await client.getMailboxLock(client.mailbox ? client.mailbox.path : 'INBOX');
    try {
      return await work(client, lock.path);
    } finally {
      lock.release();
    }
  }

  private async open(): Promise<void> {
    let password: string;
    try {
      password = await this.credentials();
    } catch (err) {
      // No password may go to this server: only the user can change that.
      const error = classifyError(err, this.account);
      this.setState({ kind: 'failed', error });
      throw err instanceof MailError ? err : new MailError(error, { cause: err });
    }
    this.setState({ kind: 'connecting' });
    try {
      // Each connection is kept where close() finds it as soon as it exists, and a session disposed
      // meanwhile closes it at once: nothing stays logged in for an account that is gone.
      const commands = await connectClient(this.account, password, { log: this.log });
      this.pair = { commands, watch: commands };
      this.throwIfDisposed();
      const watch = await connectClient(this.account, password, { log: taggedLog(this.log, 'watch'), qresync: true, maxIdleTime: 4 * 60_000 });
      this.pair = { commands, watch };
      this.throwIfDisposed();
      for (const client of [commands, watch]) {
        client.on('close', () => this.onConnectionLost(client));
      }
      await this.hooks.prepare(this.pair);
      this.throwIfDisposed();
      this.backoff.reset();
      this.setState({ kind: 'online' });
      this.hooks.online();
    } catch (err) {
      const info = classifyError(err, this.account);
      await this.close();
      if (info.code === 'auth' || info.code === 'certificate-untrusted') {
        // Retrying cannot help until the user changes something.
        this.setState({ kind: 'failed', error: info });
      } else {
        this.scheduleReconnect(info.message);
      }
      throw err instanceof MailError ? err : new MailError(info, { cause: err });
    }
  }

  private throwIfDisposed(): void {
    if (this.isDisposed) throw new MailError({ code: 'dropped', message: `${this.account.name} was removed while connecting.` });
  }

  private onConnectionLost(client: ImapFlow): void {
    if (this.isDisposed || (client !== this.pair?.commands && client !== this.pair?.watch)) {
      return;
    }
    this.log.warn('connection lost');
    const reason = 'The connection to the server was lost.';
    // Offline at once: until the old connections are closed, nothing may be sent on them.
    this.setState({ kind: 'offline', reason });
    void this.close().then(() => {
      // Something may have connected again meanwhile (a user action calls connect()).
      if (!this.connecting && !this.pair?.commands.usable) {
        this.scheduleReconnect(reason);
      }
    });
  }

  private scheduleReconnect(reason: string): void {
    if (this.isDisposed) {
      return;
    }
    const delay = this.backoff.next();
    this.setState({ kind: 'offline', reason, retryAt: Date.now() + delay });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect().catch(() => undefined), delay);
  }

  private async close(): Promise<void> {
    this.hooks.closing();
    const pair = this.pair;
    this.pair = undefined;
    for (const client of new Set([pair?.commands, pair?.watch])) {
      if (client) {
        client.removeAllListeners('close');
        await Promise.race([client.logout().catch(() => client.close()), delay(2_000)]);
        client.close();
      }
    }
  }

  private setState(state: ConnectionState): void {
    if (this.isDisposed) return;
    this.state = state;
    this.stateEmitter.fire(state);
  }

  override dispose(): void {
    super.dispose();
    void this.close();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
