/**
 * What the user does to mail, as `AccountSession` offers it: flags, mark all read, move, archive,
 * junk, delete (to Trash, or for good), undo. Each call applies its local part at once (the tree
 * updates through `onDidChangeMessages` before the server answers) and returns a receipt; the
 * server's part follows through the `TaskQueue`. Questions the user must answer first are errors
 * of their own (`ActionNeedsConfirmation`, `NoFolderForRole`), thrown before anything changes.
 * The same move or deletion twice (a double click) is done once: the second call answers with the
 * first's receipt (`RecentRemovals`); Undo pressed twice takes back the last two actions.
 */
import type { MailCache } from '../cache/mailCache';
import type { MailLog } from '../imap/log';
import { DisposableBase } from '../model/events';
import type { FolderInfo, SpecialUse } from '../model/types';
import type { AccountConnections } from '../sync/accountConnections';
import type { SystemFlag } from './flags';
import { describeTask, type CopyMap, type MailTask, type MoveReason } from './mailTasks';
import { RecentRemovals } from './recentRemovals';
import { TaskQueue, type FolderWork } from './taskQueue';
import { inverseOf } from './undo';

export interface ActionReceipt {
  /** Names the action for `undo` and `whenDone`. */
  id: number;
  /** The action, in plain words ("archive 3 messages from INBOX"). */
  description: string;
  /** Whether `undo(id)` can take it back (a deletion for good cannot be). */
  undoable: boolean;
}

export interface MoveOptions {
  /**
   * The user accepted that, on a server without UIDPLUS, removing these messages also removes every
   * message another client marked \Deleted in the folder (a bare EXPUNGE, RFC 3501 6.4.3).
   */
  allowBareExpunge?: boolean;
}

export interface DeleteOptions extends MoveOptions {
  /** The user confirmed deleting for good (in Trash, or where there is no Trash). */
  forGood?: boolean;
}

/** The action needs the user's yes first: a deletion for good, or a bare EXPUNGE without UIDPLUS. */
export class ActionNeedsConfirmation extends Error {
  constructor(
    readonly reason: 'delete-for-good' | 'bare-expunge',
    message: string,
  ) {
    super(message);
    this.name = 'ActionNeedsConfirmation';
  }
}

/** No folder has the role (\Archive, \Junk): the user may choose one (Set Folder Role) or create it. */
export class NoFolderForRole extends Error {
  constructor(readonly role: SpecialUse, message: string) {
    super(message);
    this.name = 'NoFolderForRole';
  }
}

/** Actions stay undoable this long after they were taken (the issue asks for at least a minute). */
const UNDO_MS = 5 * 60_000;

interface Undoable {
  task: MailTask;
  at: number;
  copied?: CopyMap;
}

export class MailActions extends DisposableBase {
  private readonly queue: TaskQueue;
  readonly onDidFail;
  /** The last actions, by id, for undo. */
  private readonly undoable = new Map<number, Undoable>();
  /** Actions being undone, whose undo waits for the server's answer to them (COPYUID). */
  private readonly undoing = new Map<number, Undoable>();
  /** What the recent moves and deletions took out: the same action twice is done once. */
  private readonly removals = new RecentRemovals();

  constructor(
    private readonly cache: MailCache,
    private readonly connections: AccountConnections,
    private readonly folders: () => readonly FolderInfo[],
    private readonly folderWork: FolderWork,
    log: MailLog,
  ) {
    super();
    this.queue = this.register(new TaskQueue(cache, connections, folderWork, log));
    this.onDidFail = this.queue.onDidFail;
    this.register(this.queue.onDidComplete(({ id, copied }) => {
      const entry = this.undoable.get(id) ?? this.undoing.get(id);
      if (entry) entry.copied = copied;
    }));
    this.register(this.queue.onDidFail(({ id }) => {
      this.undoable.delete(id);
      this.removals.forget(id);
    }));
  }

  /**
   * Sets or clears `flag` on messages of `path`. With `undoable: false` (what opening a message does
   * by itself), the change is never what a plain Undo takes back.
   */
  setFlag(path: string, uids: readonly number[], flag: SystemFlag, on: boolean, options: { undoable?: boolean } = {}): ActionReceipt {
    return this.take({ kind: 'flags', folder: path, uidValidity: this.uidValidity(path), uids: [...uids], flag, on }, options.undoable ?? true);
  }

  /** Every message of `path` read, on the server with one STORE 1:* +FLAGS (\Seen). */
  markAllRead(path: string): ActionReceipt {
    return this.take({ kind: 'allRead', folder: path, uidValidity: this.uidValidity(path), uids: [] });
  }

  /** Moves messages of `path` to `target`: one UID MOVE per folder (COPY, \Deleted, UID EXPUNGE without MOVE). */
  move(path: string, uids: readonly number[], target: string, options: MoveOptions = {}): ActionReceipt {
    return this.moveFor('move', path, uids, target, options);
  }

  /** To the folder marked \Archive (RFC 6154), or chosen as Archive; NoFolderForRole when there is none. */
  archive(path: string, uids: readonly number[], options: MoveOptions = {}): ActionReceipt {
    return this.moveFor('archive', path, uids, this.roleFolder('archive', path), options);
  }

  /** To the folder marked \Junk; NoFolderForRole when there is none. */
  junk(path: string, uids: readonly number[], options: MoveOptions = {}): ActionReceipt {
    return this.moveFor('junk', path, uids, this.roleFolder('junk', path), options);
  }

  /** Whether deleting in `path` deletes for good (it is Trash, or there is no Trash): ask the user first. */
  deletesForGood(path: string): boolean {
    const trash = findRole(this.folders(), 'trash');
    return !trash || trash.path === path;
  }

  /**
   * To Trash; in Trash or without one, for good: \Deleted and UID EXPUNGE of exactly these UIDs,
   * once the user confirmed (`forGood`; ActionNeedsConfirmation otherwise).
   */
  delete(path: string, uids: readonly number[], options: DeleteOptions = {}): ActionReceipt {
    const { fresh, repeated } = this.notTakenOut(path, uids);
    if (repeated) return repeated;
    uids = fresh;
    if (!this.deletesForGood(path)) return this.moveFor('trash', path, uids, findRole(this.folders(), 'trash')!.path, options);
    if (!options.forGood) {
      throw new ActionNeedsConfirmation('delete-for-good', `Delete ${uids.length} message${uids.length === 1 ? '' : 's'} in ${path} for good? This cannot be undone.`);
    }
    this.checkExpunge(path, false, options);
    return this.take({ kind: 'expunge', folder: path, uidValidity: this.uidValidity(path), uids: [...uids], rows: [], allowBareExpunge: options.allowBareExpunge });
  }

  /**
   * Undoes action `id` (the last undoable one when omitted): one not yet performed is simply taken
   * back; one done is undone by a task of its own, whose receipt this returns.
   */
  async undo(id?: number): Promise<ActionReceipt | undefined> {
    this.forgetOld();
    const chosen = id ?? [...this.undoable.keys()].pop();
    const entry = chosen === undefined ? undefined : this.undoable.get(chosen);
    if (chosen === undefined || !entry) return undefined;
    // Taken at once: a second Undo meanwhile (pressed twice) takes back the action before this one.
    this.undoable.delete(chosen);
    if (this.queue.cancel(chosen)) {
      this.removals.forget(chosen);
      return { id: chosen, description: `undo: ${this.describe(entry.task)}`, undoable: false };
    }
    // Running now: its undo needs what the server answers (COPYUID), which completion records.
    this.undoing.set(chosen, entry);
    try {
      await this.queue.whenDone(chosen);
    } finally {
      this.undoing.delete(chosen);
    }
    const inverse = inverseOf(entry.task, entry.copied);
    if (!inverse) throw new Error(`Cannot undo: ${this.describe(entry.task)}.`);
    const undoId = this.queue.add(inverse);
    return { id: undoId, description: this.describe(inverse), undoable: false };
  }

  /** Resolves once the server confirmed action `id`; rejects with the plain-words failure if it refused. */
  whenDone(id: number): Promise<void> {
    return this.queue.whenDone(id);
  }

  /** Actions waiting for the server, oldest first, in plain words. */
  pending(): { id: number; description: string }[] {
    return this.queue.pending().map(({ id, task }) => ({ id, description: this.describe(task) }));
  }

  private moveFor(reason: MoveReason, path: string, uids: readonly number[], target: string, options: MoveOptions): ActionReceipt {
    if (target === path) throw new Error(`The messages are in ${path} already.`);
    const { fresh, repeated } = this.notTakenOut(path, uids);
    if (repeated) return repeated;
    uids = fresh;
    this.checkExpunge(path, true, options);
    return this.take({ kind: 'move', folder: path, uidValidity: this.uidValidity(path), uids: [...uids], target, reason, rows: [], allowBareExpunge: options.allowBareExpunge });
  }

  /**
   * Without UIDPLUS, removing messages (a move without MOVE, a deletion for good) can only be a bare
   * EXPUNGE, which also removes every message other clients marked \Deleted: the user is asked.
   * Offline the server's capabilities are not known; the task then checks when it runs.
   */
  private checkExpunge(path: string, moving: boolean, options: MoveOptions): void {
    if (options.allowBareExpunge || this.connections.connectionState.kind !== 'online') return;
    if ((moving && this.connections.has('MOVE')) || this.connections.has('UIDPLUS')) return;
    throw new ActionNeedsConfirmation(
      'bare-expunge',
      `This server can only remove messages from ${path} together with every message another mail program marked as deleted there. Remove them all?`,
    );
  }

  private take(task: MailTask, offerUndo = true): ActionReceipt {
    this.forgetOld();
    const id = this.queue.add(task);
    // As stored: a flag task keeps the messages it changed, a move the rows it took out.
    const stored = this.queue.task(id) ?? task;
    const undoable = offerUndo && (inverseOf(stored, { uids: [] }) !== undefined || (stored.kind === 'move' && stored.reason !== 'undo'));
    if (undoable) this.undoable.set(id, { task: stored, at: Date.now() });
    const receipt = { id, description: this.describe(task), undoable };
    if (task.kind === 'expunge' || (task.kind === 'move' && task.reason !== 'undo')) this.removals.record(receipt, task.folder, task.uidValidity, task.uids);
    return receipt;
  }

  /**
   * Leaves out of `uids` the messages a recent action took out of `path` already (clicked twice).
   * `repeated`: every one was, and this is that action's receipt, to answer with instead of acting.
   */
  private notTakenOut(path: string, uids: readonly number[]): { fresh: readonly number[]; repeated?: ActionReceipt } {
    this.forgetOld();
    const { fresh, takenBy } = this.removals.sort(path, this.uidValidity(path), uids);
    if (fresh.length || !takenBy) return { fresh };
    return { fresh, repeated: { ...takenBy, undoable: this.undoable.has(takenBy.id) } };
  }

  private roleFolder(role: SpecialUse, path: string): string {
    const folder = findRole(this.folders(), role);
    if (!folder) throw new NoFolderForRole(role, `There is no ${role[0].toUpperCase()}${role.slice(1)} folder. Choose one with Set Folder Role, or create one.`);
    if (folder.path === path) throw new Error(`The messages are in ${path} already.`);
    return folder.path;
  }

  private uidValidity(path: string): string | undefined {
    return this.cache.folder(path)?.uidValidity;
  }

  private forgetOld(): void {
    const now = Date.now();
    for (const [id, entry] of this.undoable) if (now - entry.at > UNDO_MS) this.undoable.delete(id);
    this.removals.forgetBefore(now - UNDO_MS);
  }

  /** The action in words, its folders named as the tree does. */
  private describe(task: MailTask): string {
    return describeTask(task, this.folderWork.name);
  }
}

/** The folder with `role` (the server's RFC 6154 attribute, or the user's choice), anywhere in the tree. */
export function findRole(folders: readonly FolderInfo[], role: SpecialUse): FolderInfo | undefined {
  for (const folder of folders) {
    if (folder.specialUse === role && folder.selectable) return folder;
    const inside = findRole(folder.children, role);
    if (inside) return inside;
  }
  return undefined;
}
