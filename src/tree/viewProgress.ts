/**
 * Long work shows in the Mail view itself (the bar under its title), not only as a percentage on
 * one folder's row that may be scrolled away or collapsed: the first page of a folder the mirror
 * does not know yet, and a big folder's background fill until its mirror is whole.
 */
import * as vscode from 'vscode';
import type { AccountSession } from '../core';
import type { SessionRegistry } from '../accounts/sessionRegistry';

export const MAIL_VIEW_ID = 'mailroom.mail';

/** A fill that reported nothing for this long has stopped (folder closed, link lost): no bar for it. */
const QUIET_MS = 20_000;

/** Runs `work` under the Mail view's progress bar. */
export function withViewProgress<T>(work: () => Promise<T>): Promise<T> {
  return Promise.resolve(vscode.window.withProgress({ location: { viewId: MAIL_VIEW_ID } }, work));
}

/**
 * One view progress while any folder's mirror fill is under way. The fill reports after each chunk
 * it stored; a folder that fits in one chunk is whole at its first report and never shows a bar.
 */
export class FillProgress implements vscode.Disposable {
  /** `account\npath` of each folder being filled, with the timer that gives up on a quiet one. */
  private readonly filling = new Map<string, ReturnType<typeof setTimeout>>();
  private endBar: (() => void) | undefined;
  private readonly changed = new vscode.EventEmitter<readonly string[]>();
  /** The folders being filled changed; the tests follow the bar through it. */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [this.changed];

  constructor(private readonly sessions: SessionRegistry) {
    this.subscriptions.push(
      sessions.onDidCreateSession((session) => this.watch(session)),
      sessions.onDidChangeSessions(() => this.dropGone()),
    );
    for (const session of sessions.all()) this.watch(session);
  }

  /** `account\npath` of the folders whose fill the bar shows. */
  get busy(): string[] {
    return [...this.filling.keys()];
  }

  private watch(session: AccountSession): void {
    const id = session.account.id;
    this.subscriptions.push(
      session.onDidProgress((p) => (p.whole ? this.stop(`${id}\n${p.path}`) : this.start(`${id}\n${p.path}`))),
      session.onDidChangeState((state) => {
        // The fill waits for the link: no bar while nothing moves.
        if (state.kind !== 'online') this.stopAll((key) => key.startsWith(`${id}\n`));
      }),
    );
  }

  private dropGone(): void {
    const ids = new Set(this.sessions.all().map((s) => s.account.id));
    this.stopAll((key) => !ids.has(key.slice(0, key.indexOf('\n'))));
  }

  private start(key: string): void {
    const known = this.filling.has(key);
    if (this.filling.size === 0) void withViewProgress(() => new Promise<void>((resolve) => (this.endBar = resolve)));
    clearTimeout(this.filling.get(key));
    this.filling.set(key, setTimeout(() => this.stop(key), QUIET_MS));
    if (!known) this.changed.fire(this.busy);
  }

  private stop(key: string): void {
    if (!this.filling.has(key)) return;
    clearTimeout(this.filling.get(key));
    this.filling.delete(key);
    if (this.filling.size === 0) {
      this.endBar?.();
      this.endBar = undefined;
    }
    this.changed.fire(this.busy);
  }

  private stopAll(which: (key: string) => boolean): void {
    for (const key of [...this.filling.keys()]) if (which(key)) this.stop(key);
  }

  dispose(): void {
    this.stopAll(() => true);
    this.subscriptions.forEach((s) => s.dispose());
  }
}
