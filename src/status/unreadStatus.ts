/**
 * Knowing that mail arrived without looking at the tree: the unread count of the watched folders
 * (`mailroom.watchedFolders`, each account's Inbox by default) on the Mailroom view's badge and in
 * the status bar (a click opens the view), and one notification per burst of new mail in a watched
 * folder (`mailroom.notifyNewMail`). Mail that was there when the account first counted its folders
 * never notifies: the first counts of a session are the baseline.
 *
 * The notification names the newest sender and subject when the folder's window (the tree's rows of
 * an expanded folder) took the new mail in: the messages a catch-up added to it are the new ones.
 * Of a folder not expanded only the counts are known (STATUS or NOTIFY), so it says how many only;
 * naming them there would take a FETCH of the newest message, which the core does not offer without
 * opening the folder (and opening it would move the watcher away from the folder the user reads).
 */
import * as vscode from 'vscode';
import type { AccountSession, FolderChange, FolderCounts, FolderInfo, MessageSummary } from '../core';
import type { SessionRegistry } from '../accounts/sessionRegistry';
import { notifyNewMail, watchedFolders } from '../settings';

/** New mail that comes within this of the first of a burst is told in the same notification. */
const BURST_MS = 1_500;
/** A message added to a window this long before a burst is told still counts as part of it (the window may catch up first). */
const ADDED_SLACK_MS = 10_000;

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
    ]);
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
    const timer = setTimeout(() => this.tell(key), BURST_MS);
    this.bursts.set(key, { count, timer, session, folder });
  }

  private tell(key: string): void {
    const burst = this.bursts.get(key);
    this.bursts.delete(key);
    if (!burst) return;
    const { session, folder, count } = burst;
    const where = `${label(session, folder)}${this.sessions.all().length > 1 ? ` (${session.account.name})` : ''}`;
    // The newest message, when the folder's window took it in; never an older one that was there.
    const added = this.added.get(key);
    this.added.delete(key);
    const newest = added && Date.now() - added.at < ADDED_SLACK_MS + BURST_MS ? added.message : undefined;
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
