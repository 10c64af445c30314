/**
 * What Mailroom holds of one open folder: a window of the newest messages, from the newest down to
 * the oldest page loaded, plus the folder's UIDVALIDITY and UIDNEXT (RFC 3501 2.3.1.1) that make a
 * later catch-up exact. Pure data and diffs; no I/O.
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

export interface WindowUpdate {
  /** Every UID of the window that the server still has. */
  present: ReadonlySet<number>;
  /** New flags of messages whose flags may have changed. */
  flags: ReadonlyMap<number, MessageSummary['flags']>;
  arrived: readonly MessageSummary[];
}

export class LoadedFolder {
  private readonly byUid = new Map<number, MessageSummary>();
  /** `messages()` as last sorted; dropped by every change. */
  private sorted: MessageSummary[] | undefined;
  hasOlder = false;
  /** HIGHESTMODSEQ (RFC 7162) up to which the window's flags are known; undefined without CONDSTORE. */
  modseq: bigint | undefined;

  constructor(
    readonly path: string,
    public uidValidity: string,
    public uidNext: number,
  ) {}

  get size(): number {
    return this.byUid.size;
  }

  /** Newest first, by UID: UIDs grow with arrival (RFC 3501 2.3.1.1). Sorted once per change, not per read. */
  messages(): MessageSummary[] {
    this.sorted ??= [...this.byUid.values()].sort((a, b) => b.uid - a.uid);
    return this.sorted.slice();
  }

  get(uid: number): MessageSummary | undefined {
    return this.byUid.get(uid);
  }

  get oldestUid(): number | undefined {
    let oldest: number | undefined;
    for (const uid of this.byUid.keys()) {
      if (oldest === undefined || uid < oldest) {
        oldest = uid;
      }
    }
    return oldest;
  }

  addPage(messages: readonly MessageSummary[]): void {
    for (const m of messages) {
      this.sorted = undefined;
      this.byUid.set(m.uid, m);
    }
  }

  /**
   * Applies what the server says now about the window: which UIDs in it still exist, the flags
   * that changed, and the messages that arrived above the old UIDNEXT.
   */
  reconcile(update: WindowUpdate): FolderChange {
    const change: FolderChange = { folder: this.path, added: [], changed: [], removed: [], reset: false };
    for (const [uid, summary] of this.byUid) {
      const flags = update.flags.get(uid);
      if (!update.present.has(uid)) {
        this.sorted = undefined;
        this.byUid.delete(uid);
        change.removed.push(uid);
      } else if (flags && !sameFlags(flags, summary.flags)) {
        const updated = { ...summary, flags };
        this.sorted = undefined;
        this.byUid.set(uid, updated);
        change.changed.push(updated);
      }
    }
    for (const m of update.arrived) {
      if (!this.byUid.has(m.uid)) {
        this.sorted = undefined;
        this.byUid.set(m.uid, m);
        change.added.push(m);
      }
    }
    return change;
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

  /** Sets previews fetched after the page was shown; returns the summaries that changed. */
  setPreviews(previews: ReadonlyMap<number, string>): MessageSummary[] {
    const changed: MessageSummary[] = [];
    for (const [uid, preview] of previews) {
      const summary = this.byUid.get(uid);
      if (summary && summary.preview !== preview) {
        const updated = { ...summary, preview };
        this.sorted = undefined;
        this.byUid.set(uid, updated);
        changed.push(updated);
      }
    }
    return changed;
  }

  clear(): void {
    this.sorted = undefined;
    this.byUid.clear();
    this.hasOlder = false;
  }
}

export function isEmptyChange(change: FolderChange): boolean {
  return !change.reset && !change.added.length && !change.changed.length && !change.removed.length;
}

function sameFlags(a: MessageSummary['flags'], b: MessageSummary['flags']): boolean {
  return a.seen === b.seen && a.flagged === b.flagged && a.answered === b.answered && a.deleted === b.deleted && a.draft === b.draft;
}
