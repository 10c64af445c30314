/**
 * The messages the user's recent actions took out of their folders (a move, archive, Trash, a
 * deletion for good). A UID names one message for good within its folder's UIDVALIDITY (RFC 3501
 * 2.3.1.1: never given to another), so an action on a UID already taken out is the same click
 * again (a double click; the tree's button and the open message's), not a new action: it must not
 * become a second task, whose MOVE of nothing would be what a plain Undo then tries to take back.
 * An action taken back (refused, or undone before it ran) puts its rows back under the same UIDs:
 * it is forgotten here.
 */
import type { ActionReceipt } from './mailActions';

interface Removal {
  receipt: ActionReceipt;
  folder: string;
  uidValidity: string | undefined;
  uids: Set<number>;
  at: number;
}

export class RecentRemovals {
  private readonly byAction = new Map<number, Removal>();

  /** Action `receipt` took `uids` out of `folder` (under `uidValidity`). */
  record(receipt: ActionReceipt, folder: string, uidValidity: string | undefined, uids: readonly number[]): void {
    this.byAction.set(receipt.id, { receipt, folder, uidValidity, uids: new Set(uids), at: Date.now() });
  }

  /** Action `id` was taken back: its messages are in their folder again. */
  forget(id: number): void {
    this.byAction.delete(id);
  }

  /** Forgets actions taken before `time` (ms since the epoch). */
  forgetBefore(time: number): void {
    for (const [id, removal] of this.byAction) if (removal.at < time) this.byAction.delete(id);
  }

  /**
   * Splits `uids` of `folder` into those no recent action took out (`fresh`) and the receipt of
   * the action that took out the others, if any did.
   */
  sort(folder: string, uidValidity: string | undefined, uids: readonly number[]): { fresh: number[]; takenBy?: ActionReceipt } {
    let takenBy: ActionReceipt | undefined;
    const fresh = uids.filter((uid) => {
      for (const removal of this.byAction.values()) {
        if (removal.folder === folder && removal.uidValidity === uidValidity && removal.uids.has(uid)) {
          takenBy ??= removal.receipt;
          return false;
        }
      }
      return true;
    });
    return { fresh, takenBy };
  }
}
