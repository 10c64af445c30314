/**
 * What the tree shows of one open folder: the rows of its window on the mirror, newest first, and
 * what changed when the mirror's window is read again. Pure data and diffs; no I/O.
 */
import type { MessageSummary } from './types';

export interface FolderChange {
  folder: string;
  added: MessageSummary[];
  changed: MessageSummary[];
  removed: number[];
  /** UIDVALIDITY changed or the window was reloaded: everything shown before is void. */
  reset: boolean;
}

export class LoadedFolder {
  private readonly byUid = new Map<number, MessageSummary>();
  /** `messages()` as last sorted; dropped by every change. */
  private sorted: MessageSummary[] | undefined;

  constructor(
    readonly path: string,
    readonly uidValidity: string,
  ) {}

  get size(): number {
    return this.byUid.size;
  }

  /** Newest first, by UID: UIDs grow with arrival (RFC 3501 2.3.1.1). Sorted once per change, not per read. */
  messages(): MessageSummary[] {
    this.sorted ??= [...this.byUid.values()].sort((a, b) => b.uid - a.uid);
    return this.sorted.slice();
  }

  addPage(messages: readonly MessageSummary[]): void {
    for (const m of messages) {
      this.sorted = undefined;
      this.byUid.set(m.uid, m);
    }
  }

  /**
   * Takes the window as the mirror holds it now and says what differs from what was shown: rows
   * that went, rows whose flags or preview changed, rows that came.
   */
  replaceWith(messages: readonly MessageSummary[]): FolderChange {
    const change: FolderChange = { folder: this.path, added: [], changed: [], removed: [], reset: false };
    const next = new Map(messages.map((m) => [m.uid, m]));
    for (const uid of this.byUid.keys()) {
      if (!next.has(uid)) change.removed.push(uid);
    }
    for (const m of messages) {
      const before = this.byUid.get(m.uid);
      if (!before) change.added.push(m);
      else if (!sameFlags(before.flags, m.flags) || before.preview !== m.preview) change.changed.push(m);
    }
    this.sorted = undefined;
    this.byUid.clear();
    this.addPage(messages);
    return change;
  }
}

export function isEmptyChange(change: FolderChange): boolean {
  return !change.reset && !change.added.length && !change.changed.length && !change.removed.length;
}

function sameFlags(a: MessageSummary['flags'], b: MessageSummary['flags']): boolean {
  return a.seen === b.seen && a.flagged === b.flagged && a.answered === b.answered && a.deleted === b.deleted && a.draft === b.draft;
}
