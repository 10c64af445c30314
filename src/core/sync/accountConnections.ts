/**
 * An account's two long-lived connections, one for commands and one that only listens, and their
 * life: the password asked for on every connect, one attempt at a time, offline at once when a link
 * drops, and reconnection with backoff. What runs on the connections belongs to others; they plug in
 * through the hooks: `prepare` before the account counts as online, `closing` before the
 * connections go.
 *
 * Every command has a deadline (`timeout`): work on the command connection that the server leaves
 * unanswered that long rejects in plain words and closes the connection, so the account goes
 * offline with that reason and reconnects by itself. Whatever else fails reaches callers as a
 * MailError, never as a library's raw message.
 */
import type { ImapFlow } from 'imapflow';
import { fixedPassword, type CredentialProvider } from '../imap/credentials';
import { answerWithin, silenceInfo, silenceReason } from '../imap/answerDeadline';
import { classifyError, MailError } from '../imap/errors';
import { connectClient } from '../imap/imapClient';
import { taggedLog, type MailLog } from '../imap/log';
import { DisposableBase, type Disposable } from '../model/events';
import type { AccountConfig, ConnectionState } from '../model/types';
import { Backoff } from './backoff';
import { ConnectionErrors } from './connectionErrors';
import { keepQuietConnectionAlive, type IdlePolicy } from './idlePolicy';
import { holdingFolder } from './selectedFolder';
import type { FetchBehindSelect } from '../imap/fetchBehindSelect';

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
  private keepalive: Disposable | undefined;
  private readonly credentials: CredentialProvider;
  private readonly errors: ConnectionErrors;

  constructor(
    private readonly account: AccountConfig,
    credentials: string | CredentialProvider,
    private readonly log: MailLog,
    private readonly hooks: ConnectionHooks,
    backoff: { initial: number; max: number } = { initial: 1_000, max: 60_000 },
    /** Seconds the server has to answer a command (`mailroom.timeout`); read at each use. */
    private readonly timeoutSeconds: () => number = () => 30,
    private readonly idlePolicy: IdlePolicy = {},
  ) {
    super();
    // Asked on every connect: the password may have been re-entered, or its server changed.
    this.credentials = typeof credentials === 'string' ? fixedPassword(credentials, account.name) : credentials;
    this.backoff = new Backoff(backoff.initial, backoff.max);
    this.errors = new ConnectionErrors(account, () => this.timeoutMs());
    this.register({ dispose: () => clearTimeout(this.retryTimer) });
    this.register({ dispose: () => this.keepalive?.dispose() });
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** Connects if not connected. Resolves when online; rejects with a MailError otherwise. */
  connect(): Promise<void> {
    if (this.state.kind === 'online' && this.pair?.commands.usable) {
      return Promise.resolve();
    }
    if (this.isDisposed) {
      // Work queued before the account went (a fill chunk, a catch-up) must not log in again.
      return Promise.reject(new MailError({ code: 'dropped', message: `${this.account.name} was removed.` }));
    }
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /**
   * Forgets the backoff and tries now: the user pressed Retry. An account that looks online may be
   * stuck (a connection whose server stopped answering without closing): both connections are
   * closed and made afresh, and the work waiting on them fails in plain words at once.
   */
  async retry(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.backoff.reset();
    if (this.pair && !this.connecting) {
      this.log.info('Retry: closing both connections and connecting afresh');
      this.setState({ kind: 'offline', reason: 'Reconnecting, as asked.' });
      await this.close();
    }
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

  /** The hierarchy delimiter of the personal namespace (RFC 2342), as far as is known now. */
  delimiter(): string {
    return this.pair?.commands.namespace?.delimiter ?? '';
  }

  /**
   * Runs `work` with `path` selected, under the command connection's mailbox lock; `behindSelect`
   * may arm a command to go out with the SELECT that takes the lock (the work gets it).
   */
  async inFolder<T>(
    path: string,
    work: (client: ImapFlow, behind?: FetchBehindSelect) => Promise<T>,
    behindSelect?: (client: ImapFlow) => FetchBehindSelect | undefined,
  ): Promise<T> {
    await this.connect();
    const client = this.commands();
    return this.plainlyAnswered(client, `working on ${path}`, () => holdingFolder(client, path, (held, _path, behind) => work(held, behind), behindSelect));
  }

  /**
   * `inFolder` for work nobody waits on (a catch-up, a chunk of the fill, previews): while offline it
   * fails at once instead of connecting ahead of the backoff; it runs again after the next connect.
   */
  inFolderWhileOnline<T>(
    path: string,
    work: (client: ImapFlow, behind?: FetchBehindSelect) => Promise<T>,
    behindSelect?: (client: ImapFlow) => FetchBehindSelect | undefined,
  ): Promise<T> {
    if (this.state.kind !== 'online') {
      return Promise.reject(new MailError({ code: 'dropped', message: `${this.account.name} is offline; ${path} catches up after reconnecting.` }));
    }
    return this.inFolder(path, work, behindSelect);
  }

  /**
   * Runs `work` on the command connection with its selection held still (under the mailbox lock of
   * whatever is selected, INBOX if nothing is), so no STATUS meets the selected folder (RFC 3501
   * 6.3.10). No connect() here: this also runs while connecting, which connect() would wait for.
   */
  async withSelectionHeld<T>(work: (client: ImapFlow, selectedPath: string) => Promise<T>): Promise<T> {
    const client = this.commands();
    return this.plainlyAnswered(client, 'reading the folders and their counts', () => holdingFolder(client, client.mailbox ? client.mailbox.path : 'INBOX', work));
  }

  /**
   * Runs `work` on the listening connection, under the answer deadline, in plain words if it fails.
   * For the folder list's top level at a connect, before the watcher takes that connection: the
   * command connection stays free meanwhile (a server that takes 30 s to list 100,000 folders still
   * opens the Inbox at once).
   */
  async onListening<T>(doing: string, work: (client: ImapFlow) => Promise<T>): Promise<T> {
    const client = this.pair?.watch;
    if (!client?.usable) throw new MailError({ code: 'dropped', message: `The connection to ${this.account.name} was lost while ${doing}.` });
    return this.plainlyAnswered(client, doing, () => work(client));
  }

  /** `answered`, and whatever fails said in plain words (a MailError, never the library's message). */
  private async plainlyAnswered<T>(client: ImapFlow, doing: string, work: () => Promise<T>): Promise<T> {
    try {
      return await this.answered(client, doing, work);
    } catch (err) {
      throw this.errors.plain(err, client, doing);
    }
  }

  /**
   * Runs `work` on `client` with the answer deadline: silence for `timeout` seconds closes the
   * connection (the account then goes offline with that reason) and rejects in plain words.
   */
  answered<T>(client: ImapFlow, doing: string, work: () => Promise<T>): Promise<T> {
    const ms = this.timeoutMs();
    return answerWithin(client, ms, () => silenceInfo(this.account.host, ms, doing), work);
  }

  /** Milliseconds the server has to answer (`mailroom.timeout`). */
  timeoutMs(): number {
    return Math.max(1, this.timeoutSeconds()) * 1_000;
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
    // A pair whose command connection died before its 'close' event came (connect() saw it unusable)
    // is still here: it goes first, or its listening connection would stay logged in, idling, with
    // nothing left to close it (the soak found one after dispose).
    if (this.pair) await this.close();
    this.setState({ kind: 'connecting' });
    try {
      // Each connection is kept where close() finds it as soon as it exists, and a session disposed
      // meanwhile closes it at once: nothing stays logged in for an account that is gone.
      const answerTimeout = this.timeoutMs();
      // QRESYNC on the command connection too: the mirror's sync asks for VANISHED (RFC 7162 3.2.6).
      // The command connection does not IDLE: the listening one watches, and a command after a
      // pause would wait for an IDLE's DONE and OK first (README, Develop).
      const autoIdle = this.idlePolicy.commandIdle ?? false;
      const commands = await connectClient(this.account, password, { log: this.log, qresync: true, answerTimeout, autoIdle });
      this.pair = { commands, watch: commands };
      this.throwIfDisposed();
      const watch = await connectClient(this.account, password, {
        log: taggedLog(this.log, 'watch'),
        qresync: true,
        maxIdleTime: 4 * 60_000,
        answerTimeout,
        autoIdle: this.idlePolicy.watchIdleDelay,
      });
      this.pair = { commands, watch };
      this.throwIfDisposed();
      for (const client of [commands, watch]) {
        client.on('error', (err: unknown) => this.errors.record(client, err));
        client.on('close', () => this.onConnectionLost(client));
      }
      await this.hooks.prepare(this.pair);
      this.throwIfDisposed();
      // A connection that died before its 'close' listener was set (the command connection while the
      // listening one logged in), or under work that did not need it, fails the attempt: the account
      // is never online on half a pair.
      if (!commands.usable || !watch.usable) {
        throw new MailError({ code: 'dropped', message: `The connection to ${this.account.name} was lost while connecting.` });
      }
      this.backoff.reset();
      this.setState({ kind: 'online' });
      this.keepalive?.dispose();
      this.keepalive = keepQuietConnectionAlive(commands, this.idlePolicy, (work) => this.answered(commands, 'checking the connection', work), this.log);
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
    const reason = silenceReason(client)?.message ?? this.errors.lostReason(client) ?? 'The connection to the server was lost.';
    this.log.warn(`connection lost: ${reason}`);
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
    this.keepalive?.dispose();
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
