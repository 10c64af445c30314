/**
 * Knowing that mail arrived without looking at the tree: the unread count of the watched folders
 * (`mailroom.watchedFolders`, each account's Inbox by default) on the Mailroom view's badge and in
 * the status bar (a click opens the view), and one notification per burst of new mail in a watched
 * folder (`mailroom.notifyNewMail`). Mail that was there when the account first counted its folders
 * never notifies: the first counts of a session are the baseline.
 *
 * The notification names the newest sender and subject, and only of a message that is new. Where the
 * folder's window (the tree's rows of an expanded folder) took the new mail in, the messages a
 * catch-up added to it are the new ones. Otherwise (the folder collapsed: the common case) its newest
 * message is asked of the server without opening the folder (`AccountSession.newestMessage`), and
 * named only if its UID is above the highest one known before the burst, the floor: learned once the
 * account is online and with every answer since. A server that is slow or fails costs the names, never
 * the notification: it waits for them NAMING_WAIT_MS at most.
 */
import * as vscode from 'vscode';
import type { AccountSession, FolderChange, FolderCounts, FolderInfo, MessageSummary } from '../core';
import type { SessionRegistry } from '../accounts/sessionRegistry';
import { notifyNewMail, watchedFolders } from '../settings';

/** New mail that comes within this of the first of a burst is told in the same notification. */
const BURST_MS = 1_500;
/** A message added to a window this long before a burst is told still counts as part of it (the window may catch up first). */
const ADDED_SLACK_MS = 10_000;
/** How long a notification waits for the server to name the newest message; then it goes without. */
const NAMING_WAIT_MS = 1_000;

/** What a notification names of a message. */
type Named = Pick<MessageSummary, 'uid' | 'uidValidity' | 'from' | 'subject' | 'flags'>;

export interface NewMailNotice {
  account: string;
  folder: string;
  count: number;
  text: string;
}

export class UnreadStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mailroom.unread', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[] = [];
  private perSession: vscode.Disposable[] = [];
  /** Unread and message counts last seen per account and watched folder: the baseline of "new". */
  private readonly seen = new Map<string, FolderCounts>();
  private readonly bursts = new Map<string, { count: number; timer: NodeJS.Timeout; session: AccountSession; folder: string }>();
  /** Per account and watched folder, the newest unread message a catch-up added to its window, and when. */
  private readonly added = new Map<string, { message: MessageSummary; at: number }>();
  /**
   * Per account and watched folder, the highest UID known there before the burst being told: only a
   * message above it is new. `uidValidity` undefined: the folder was empty, so any message is new.
   */
  private readonly floors = new Map<string, { uid: number; uidValidity?: string }>();
  private disposed = false;
  /** The notifications shown, newest last (the extension tests read them). */
  readonly notices: NewMailNotice[] = [];

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly view: vscode.TreeView<unknown>,
  ) {
    this.item.name = 'Mailroom: unread mail';
    this.item.command = { command: 'workbench.view.extension.mailroom', title: 'Open Mailroom' };
    this.subscriptions.push(
      this.item,
      sessions.onDidChangeSessions(() => this.follow()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('mailroom.watchedFolders') && this.update()),
    );
    this.follow();
  }

  /** The unread count shown now. */
  get unread(): number {
    return this.watched().reduce((sum, { session, folder }) => sum + (session.countsOf(folder)?.unseen ?? 0), 0);
  }

  private follow(): void {
    for (const d of this.perSession) d.dispose();
    this.perSession = this.sessions.all().flatMap((session) => [
      session.onDidChangeCounts((counts) => this.countsChanged(session, counts)),
      session.onDidChangeMessages((change) => this.messagesAdded(session, change)),
      session.onDidChangeState((state) => state.kind === 'online' && this.learnFloors(session)),
    ]);
    for (const session of this.sessions.all()) if (session.connectionState.kind === 'online') this.learnFloors(session);
    this.update();
  }

  private watched(): { session: AccountSession; folder: string }[] {
    const folders = watchedFolders();
    return this.sessions.all().flatMap((session) => folders.filter((f) => session.countsOf(f) !== undefined || f === 'INBOX').map((folder) => ({ session, folder })));
  }

  private countsChanged(session: AccountSession, counts: readonly FolderCounts[]): void {
    const watched = new Set(watchedFolders());
    for (const c of counts) {
      if (!watched.has(c.path)) continue;
      const key = `${session.account.id}\n${c.path}`;
      const before = this.seen.get(key);
      this.seen.set(key, { ...c });
      // More mail and more of it unread: new mail (a message read elsewhere lowers `unseen`).
      const added = before ? Math.min(c.messages - before.messages, c.unseen - before.unseen) : 0;
      if (added > 0) this.arrived(session, c.path, added);
      // Mail that is not told (the first counts, or mail that came read) still raises the floor.
      else if ((!before || c.messages > before.messages) && !this.bursts.has(key) && session.connectionState.kind === 'online') {
        void this.learnFloor(session, c.path).catch(() => undefined);
      }
    }
    this.update();
  }

  /** Remembers the newest unread message added to a watched folder's window: the one a notification names. */
  private messagesAdded(session: AccountSession, change: FolderChange): void {
    if (change.reset || !watchedFolders().includes(change.folder)) return;
    const key = `${session.account.id}\n${change.folder}`;
    const newest = change.added.filter((m) => !m.flags.seen).reduce<MessageSummary | undefined>((a, m) => (a && a.uid > m.uid ? a : m), undefined);
    const before = this.added.get(key);
    const fresh = before && Date.now() - before.at < ADDED_SLACK_MS ? before.message : undefined;
    if (newest && (!fresh || newest.uid > fresh.uid)) this.added.set(key, { message: newest, at: Date.now() });
  }

  private arrived(session: AccountSession, folder: string, count: number): void {
    if (!notifyNewMail()) return;
    const key = `${session.account.id}\n${folder}`;
    const burst = this.bursts.get(key);
    if (burst) {
      burst.count += count;
      return;
    }
    const timer = setTimeout(() => void this.tell(key), BURST_MS);
    this.bursts.set(key, { count, timer, session, folder });
  }

  /** The newest message of every watched folder of `session` whose floor is not known yet. */
  private learnFloors(session: AccountSession): void {
    for (const { session: s, folder } of this.watched()) {
      if (s === session && !this.floors.has(`${session.account.id}\n${folder}`)) void this.learnFloor(session, folder).catch(() => undefined);
    }
  }

  /** Asks the server for the newest message of `folder`, and raises the floor to it. */
  private async learnFloor(session: AccountSession, folder: string): Promise<Named | undefined> {
    const newest = await session.newestMessage(folder);
    const key = `${session.account.id}\n${folder}`;
    if (newest) this.raiseFloor(key, newest);
    else this.floors.set(key, { uid: 0 });
    return newest;
  }

  /** `message` is known to be there: nothing at or below it is new from now on. */
  private raiseFloor(key: string, message: Named): void {
    const floor = this.floors.get(key);
    if (!floor || floor.uidValidity !== message.uidValidity || floor.uid < message.uid) this.floors.set(key, { uid: message.uid, uidValidity: message.uidValidity });
  }

  /**
   * The folder's newest message from the server, if it is unread and above the floor known before
   * the burst; undefined if not, if nothing was known before it, or if the server has not said
   * within NAMING_WAIT_MS (its late answer still raises the floor).
   */
  private async newestFromServer(session: AccountSession, folder: string, key: string): Promise<Named | undefined> {
    const floor = this.floors.get(key);
    const asked = this.learnFloor(session, folder).then(
      (newest) => (floor && newest && !newest.flags.seen && newest.uid > floor.uid && (floor.uidValidity ?? newest.uidValidity) === newest.uidValidity ? newest : undefined),
      () => undefined,
    );
    if (!floor) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), NAMING_WAIT_MS)));
    try {
      return await Promise.race([asked, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async tell(key: string): Promise<void> {
    const burst = this.bursts.get(key);
    this.bursts.delete(key);
    if (!burst) return;
    const { session, folder, count } = burst;
    const where = `${label(session, folder)}${this.sessions.all().length > 1 ? ` (${session.account.name})` : ''}`;
    // The newest message: the one the folder's window took in, else the server's newest if it is
    // above the floor; never an older one that was there.
    const added = this.added.get(key);
    this.added.delete(key);
    const inWindow = added && Date.now() - added.at < ADDED_SLACK_MS + BURST_MS ? added.message : undefined;
    if (inWindow) this.raiseFloor(key, inWindow);
    const newest: Named | undefined = inWindow ?? (await this.newestFromServer(session, folder, key));
    if (this.disposed) return;
    const about = newest ? `: ${newest.from?.name || newest.from?.address || 'unknown sender'}, "${newest.subject}"` : '';
    const text = `${count} new message${count === 1 ? '' : 's'} in ${where}${about}`;
    this.notices.push({ account: session.account.id, folder, count, text });
    void vscode.window.showInformationMessage(text, 'Open').then((choice) => {
      if (choice === 'Open') void vscode.commands.executeCommand('workbench.view.extension.mailroom');
    });
  }

  private update(): void {
    const unread = this.unread;
    const where = [...new Set(this.watched().map(({ session, folder }) => label(session, folder)))].join(', ') || 'the watched folders';
    this.view.badge = unread > 0 ? { value: unread, tooltip: `${unread} unread in ${where}` } : undefined;
    this.item.text = `$(mail) ${unread}`;
    this.item.tooltip = `${unread} unread in ${where}: open Mailroom`;
    if (unread > 0) this.item.show();
    else this.item.hide();
  }

  dispose(): void {
    this.disposed = true;
    for (const burst of this.bursts.values()) clearTimeout(burst.timer);
    for (const d of [...this.perSession, ...this.subscriptions]) d.dispose();
  }
}

/** A folder named as its row in the tree names it ("Inbox", not the server's "INBOX"). */
function label(session: AccountSession, path: string): string {
  const pending: FolderInfo[] = [...session.folders];
  for (let f = pending.pop(); f; f = pending.pop()) {
    if (f.path === path) return f.name;
    pending.push(...f.children);
  }
  return path.toUpperCase() === 'INBOX' ? 'Inbox' : path;
}
