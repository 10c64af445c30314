/**
 * The queue of the user's actions (Mailspring-Sync's TaskProcessor, STYLE pattern 14). `add`
 * applies an action's local part and records its task in one transaction of the mirror, so the
 * tree shows the result at once; the tasks are then performed against the server one at a time,
 * oldest first, each through its folder's owner (the one queue that writes that folder's mirror)
 * on the command connection. A task is removed once the server confirmed it. A dropped link or an
 * offline account leaves it queued: it runs again when the account is back online, and after a
 * restart, since the queue lives in the mirror file. A task the server refuses for good is taken
 * back locally (rows and flags return) and said, in plain words, through `onDidFail`.
 */
import type { MailCache } from '../cache/mailCache';
import type { StoredTask } from '../cache/taskStore';
import { MailError } from '../imap/errors';
import type { MailLog } from '../imap/log';
import { DisposableBase } from '../model/events';
import type { AccountConnections } from '../sync/accountConnections';
import { applyLocally, undoLocally } from './localChanges';
import { describeTask, type CopyMap, type MailTask } from './mailTasks';
import { performTask } from './serverActions';

/** What the queue needs of the folders: their owners' queues, and the windows shown on the mirror. */
export interface FolderWork {
  /** Runs `work` through the owner of `path`, after the work queued there before it. */
  run<T>(path: string, work: () => Promise<T>): Promise<T>;
  /** Writes the mirror of `path` outside a sync (`write`), then shows it and fires what changed. */
  changeMirror<T>(path: string, write: () => T): T;
  /** The server's copy of `path` changed: an open folder catches up. */
  catchUp(path: string): void;
  /** The folder as the tree names it ("Inbox", "Work" for Cyrus's INBOX.Work), for messages. */
  name(path: string): string;
}

export interface ActionFailure {
  id: number;
  /** The action, in plain words ("archive 3 messages from INBOX"). */
  action: string;
  /** What went wrong and what happened to the mirror, in plain words. */
  message: string;
}

export interface ActionDone {
  id: number;
  task: MailTask;
  /** Where the server put moved messages (COPYUID), when it said. */
  copied?: CopyMap;
}

/** Errors of the link rather than of the action: the task waits and runs again. */
const TRANSIENT = new Set(['dropped', 'timeout', 'connection-refused', 'host-not-found']);
const RETRY_MS = [1_000, 2_000, 5_000, 15_000, 60_000];
/**
 * A refusal that may pass by itself (the server said INUSE or UNAVAILABLE, RFC 5530, or throttled)
 * is tried this many times in all, RETRY_MS apart (23 s), before it counts as final.
 */
const BUSY_ATTEMPTS = 5;
/** Refusals remembered for `whenDone` asked after them. */
const REFUSALS_KEPT = 100;

export class TaskQueue extends DisposableBase {
  private readonly failEmitter = this.emitter<ActionFailure>();
  readonly onDidFail = this.failEmitter.event;
  private readonly doneEmitter = this.emitter<ActionDone>();
  readonly onDidComplete = this.doneEmitter.event;

  private draining = false;
  private inFlight: number | undefined;
  private failures = 0;
  /** The last refusals by task id (at most REFUSALS_KEPT), for `whenDone` asked after them. */
  private readonly refusals = new Map<number, Error>();
  /** Tries so far of tasks the server said it could not perform just now. */
  private readonly busyTries = new Map<number, number>();
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly waiters = new Map<number, { resolve: () => void; reject: (err: Error) => void }[]>();

  constructor(
    private readonly cache: MailCache,
    private readonly connections: AccountConnections,
    private readonly folders: FolderWork,
    private readonly log: MailLog,
  ) {
    super();
    // Tasks left from before (offline, or a restart) run as soon as the account is online.
    this.register(connections.onDidChangeState((state) => state.kind === 'online' && this.kick()));
    this.register({ dispose: () => clearTimeout(this.retryTimer) });
    this.kick();
  }

  /** Applies the task's local part and queues its remote part, in one transaction; returns its id. */
  add(task: MailTask): number {
    const holds = task.kind === 'move' || task.kind === 'expunge' ? 'row' : 'flags';
    const id = this.folders.changeMirror(task.folder, () =>
      this.cache.transaction(() => this.cache.tasks.add({ ...applyLocally(this.cache, task), holds })),
    );
    this.kick();
    return id;
  }

  /** The tasks waiting for the server, oldest first. */
  pending(): StoredTask<MailTask>[] {
    return this.cache.tasks.all<MailTask>();
  }

  /** Task `id` as stored, while it waits for the server. */
  task(id: number): MailTask | undefined {
    return this.cache.tasks.get<MailTask>(id)?.task;
  }

  /** Whether task `id` waits for the server. */
  isPending(id: number): boolean {
    return this.cache.tasks.get(id) !== undefined;
  }

  /**
   * Takes back a task the server has not seen yet (an undo before it ran): its local part is
   * undone and it never reaches the server. False if it is running now or is done already.
   */
  cancel(id: number): boolean {
    const stored = this.cache.tasks.get<MailTask>(id);
    if (!stored || this.inFlight === id) return false;
    this.folders.changeMirror(stored.task.folder, () =>
      this.cache.transaction(() => {
        this.cache.tasks.remove(id);
        undoLocally(this.cache, stored.task);
      }),
    );
    this.settle(id);
    return true;
  }

  /**
   * Resolves once the server confirmed task `id` (at once if it is done); rejects if it was refused,
   * also when asked after the refusal (a server that refuses at once is quicker than the caller).
   */
  whenDone(id: number): Promise<void> {
    const refusal = this.refusals.get(id);
    if (refusal) return Promise.reject(refusal);
    if (!this.isPending(id)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(id) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(id, list);
    });
  }

  /** Starts performing the queue, unless it runs already or the account is offline. */
  kick(): void {
    if (this.draining || this.isDisposed) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (!this.isDisposed && this.connections.connectionState.kind === 'online') {
        const next = this.cache.tasks.all<MailTask>()[0];
        if (!next || !(await this.perform(next))) return;
      }
    } catch (err) {
      this.log.error(`actions: the queue stopped: ${(err as Error).message}`);
    } finally {
      this.draining = false;
    }
  }

  /** Performs one task; false when it must wait (the link failed), true to go on with the next. */
  private async perform({ id, task }: StoredTask<MailTask>): Promise<boolean> {
    this.inFlight = id;
    try {
      const { copied } = await this.folders.run(task.folder, async () => {
        const outcome = await this.connections.inFolderWhileOnline(task.folder, (client) =>
          performTask(client, task, (done) => this.cache.tasks.update(id, { ...task, copied: done })),
        );
        // Confirmed: the rows it held are let go inside the owner's queue, before any sync of the
        // folder, with the flags (and MODSEQ) the server said it left.
        this.folders.changeMirror(task.folder, () =>
          this.cache.transaction(() => {
            this.cache.tasks.remove(id);
            if (outcome.flags?.length) this.cache.setFlags(task.folder, outcome.flags);
          }),
        );
        return outcome;
      });
      this.failures = 0;
      this.busyTries.delete(id);
      this.log.info(`actions: done: ${this.describe(task)}`);
      this.folders.catchUp(task.folder);
      if (task.kind === 'move') this.folders.catchUp(task.target);
      this.doneEmitter.fire({ id, task, copied });
      this.settle(id);
      return true;
    } catch (err) {
      // The session went: the task stays in the mirror for the next one.
      if (this.isDisposed) return false;
      if (await this.isTransient(err)) {
        const wait = RETRY_MS[Math.min(this.failures++, RETRY_MS.length - 1)];
        this.log.info(`actions: ${this.describe(task)} waits for the server (${(err as Error).message}); trying again in ${wait} ms`);
        this.retryTimer = setTimeout(() => this.kick(), wait);
        return false;
      }
      const tries = (this.busyTries.get(id) ?? 0) + 1;
      if (err instanceof MailError && err.info.code === 'busy' && tries < BUSY_ATTEMPTS) {
        this.busyTries.set(id, tries);
        const wait = RETRY_MS[tries - 1];
        this.log.info(`actions: ${this.describe(task)}: ${err.message} Trying again in ${wait} ms`);
        this.retryTimer = setTimeout(() => this.kick(), wait);
        return false;
      }
      this.refused(id, task, err as Error);
      return true;
    } finally {
      this.inFlight = undefined;
    }
  }

  /** The server refused for good: the local part is taken back and the user is told. */
  private refused(id: number, task: MailTask, err: Error): void {
    this.busyTries.delete(id);
    this.folders.changeMirror(task.folder, () =>
      this.cache.transaction(() => {
        this.cache.tasks.remove(id);
        undoLocally(this.cache, task);
      }),
    );
    const action = this.describe(task);
    const undone = task.kind === 'flags' || task.kind === 'allRead' ? 'The flags are shown as they were.' : 'The messages are back where they were.';
    const message = `Could not ${action}: ${err.message.replace(/\.$/, '')}. ${undone}`;
    this.log.warn(`actions: ${message}`);
    this.failEmitter.fire({ id, action, message });
    const error = new Error(message);
    this.refusals.set(id, error);
    for (const old of this.refusals.keys()) {
      if (this.refusals.size <= REFUSALS_KEPT) break;
      this.refusals.delete(old);
    }
    this.settle(id, error);
  }

  /** A failure of the link, or of the server, rather than a refusal: the connection closed under it. */
  private async isTransient(err: unknown): Promise<boolean> {
    if (err instanceof MailError && TRANSIENT.has(err.info.code)) return true;
    // A cut can surface as a failed command just before the connection says it closed.
    await new Promise((resolve) => setImmediate(resolve));
    return this.connections.connectionState.kind !== 'online';
  }

  private settle(id: number, error?: Error): void {
    const list = this.waiters.get(id) ?? [];
    this.waiters.delete(id);
    for (const waiter of list) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }

  /** The action in words, its folders named as the tree does. */
  private describe(task: MailTask): string {
    return describeTask(task, this.folders.name);
  }
}
