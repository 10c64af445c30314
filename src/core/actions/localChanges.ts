/**
 * The local part of each action: what the mirror shows at once, before the server has answered,
 * and how it is taken back when the server refuses for good. Each runs inside the transaction that
 * records the task (`TaskQueue.add`) or removes it, so the mirror never shows a change without
 * its task, nor a task without its change.
 */
import type { MailCache } from '../cache/mailCache';
import type { MessageFlags } from '../model/types';
import type { SystemFlag } from './flags';
import type { MailTask } from './mailTasks';

const FLAG_KEYS: Record<SystemFlag, keyof MessageFlags> = {
  '\\Seen': 'seen',
  '\\Flagged': 'flagged',
  '\\Answered': 'answered',
  '\\Deleted': 'deleted',
};

/**
 * Applies the task's local part and returns the task as it is to be stored: a flag task keeps only
 * the messages whose flag changed (so its undo touches only those), a move or delete keeps the
 * rows it took out (put back if refused).
 */
export function applyLocally(cache: MailCache, task: MailTask): MailTask {
  switch (task.kind) {
    case 'flags':
      return { ...task, changed: setFlag(cache, task.folder, task.uids, task.flag, task.on) };
    case 'allRead':
      return { ...task, uids: setFlag(cache, task.folder, cache.unseenUids(task.folder), '\\Seen', true) };
    case 'move':
    case 'expunge': {
      const rows = cache.messagesAmong(task.folder, task.uids);
      cache.removeMessages(task.folder, task.uids);
      return { ...task, rows };
    }
  }
}

/**
 * Takes the local part back: the task is refused for good or cancelled by an undo before it ran.
 * Call it after the task is removed from the store, so that the rows it held may be written.
 * Rows of another UIDVALIDITY (the folder was made anew meanwhile) are void and stay out.
 */
export function undoLocally(cache: MailCache, task: MailTask): void {
  if (task.uidValidity !== undefined && cache.folder(task.folder)?.uidValidity !== task.uidValidity) return;
  switch (task.kind) {
    case 'flags':
      setFlag(cache, task.folder, task.changed ?? [], task.flag, !task.on);
      return;
    case 'allRead':
      setFlag(cache, task.folder, task.uids, '\\Seen', false);
      return;
    case 'move':
    case 'expunge':
      cache.putMessages(task.folder, task.rows);
      return;
  }
}

/** Sets or clears `flag` on the stored messages among `uids`; returns those whose flag changed. */
function setFlag(cache: MailCache, folder: string, uids: readonly number[], flag: SystemFlag, on: boolean): number[] {
  const key = FLAG_KEYS[flag];
  const updates = [];
  for (const row of cache.messagesAmong(folder, uids)) {
    if (row.flags[key] === on) continue;
    updates.push({ uid: row.uid, flags: { ...row.flags, [key]: on }, keywords: row.keywords });
  }
  return cache.setFlags(folder, updates);
}
