/**
 * Undo of the last actions, as tasks of their own. A flag change is undone by the opposite change
 * on the messages it changed; a move (archive, Trash, junk) by a move back through the UIDs the
 * server gave the messages in the target (COPYUID, RFC 4315 3), or, where the server did not say
 * (no UIDPLUS, or a retried MOVE whose first answer was lost), by their Message-IDs found there with
 * UID SEARCH HEADER. A deletion for good cannot be undone. Pure functions.
 */
import type { CopyMap, MailTask } from './mailTasks';

/** The task that undoes `task`, done with `copied` as the server's COPYUID; undefined if it cannot be undone. */
export function inverseOf(task: MailTask, copied?: CopyMap): MailTask | undefined {
  switch (task.kind) {
    case 'flags':
      return task.changed?.length ? { ...task, uids: task.changed, changed: undefined, on: !task.on } : undefined;
    case 'allRead':
      return task.uids.length ? { kind: 'flags', folder: task.folder, uidValidity: task.uidValidity, uids: task.uids, flag: '\\Seen', on: false } : undefined;
    case 'expunge':
      return undefined;
    case 'move': {
      if (task.reason === 'undo') return undefined;
      const back = { kind: 'move' as const, folder: task.target, target: task.folder, reason: 'undo' as const, rows: [], allowBareExpunge: task.allowBareExpunge };
      const mapped = new Map(copied?.uids ?? []);
      if (copied?.uidValidity && task.uids.every((uid) => mapped.has(uid))) {
        return { ...back, uidValidity: copied.uidValidity, uids: task.uids.map((uid) => mapped.get(uid)!) };
      }
      const messageIds = task.rows.map((row) => row.messageId).filter((id): id is string => Boolean(id));
      return messageIds.length ? { ...back, uidValidity: undefined, uids: [], messageIds } : undefined;
    }
  }
}
