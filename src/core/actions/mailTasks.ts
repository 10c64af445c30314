/**
 * The user's actions as tasks: plain data, stored as JSON in the mirror's task table until the
 * server confirmed them. Each acts in one folder on a set of UIDs, which it holds there while it
 * waits (sync and live reports leave those rows alone).
 */
import type { CachedMessage } from '../cache/rows';
import type { SystemFlag } from './flags';

interface InFolder {
  folder: string;
  /** UIDVALIDITY the UIDs belong to; undefined when they are found at the time (by Message-ID). */
  uidValidity: string | undefined;
  /** The UIDs acted on, and held while the task waits. */
  uids: number[];
  /** What of them the task holds in the mirror while it waits (set by the queue): their rows, or their flags. */
  holds?: 'row' | 'flags';
}

/** Set or clear one flag on `uids` (sent to the server even where the mirror holds no row). */
export interface FlagsTask extends InFolder {
  kind: 'flags';
  flag: SystemFlag;
  on: boolean;
  /** The messages whose flag the action changed in the mirror: what a refusal or an undo takes back. */
  changed?: number[];
}

/** Every message of the folder read: one STORE 1:* +FLAGS (\Seen); `uids` were unread in the mirror. */
export interface AllReadTask extends InFolder {
  kind: 'allRead';
}

/** Why messages move: says the action in plain words and chooses the undo. */
export type MoveReason = 'move' | 'archive' | 'trash' | 'junk' | 'undo';

export interface MoveTask extends InFolder {
  kind: 'move';
  target: string;
  reason: MoveReason;
  /** The rows taken out of the mirror, put back if the server refuses. */
  rows: CachedMessage[];
  /** Message-IDs to look for in `folder` when the UIDs are not known (an undo without UIDPLUS). */
  messageIds?: string[];
  /** Without UIDPLUS, an EXPUNGE of the whole folder was accepted (other clients' \Deleted mail goes too). */
  allowBareExpunge?: boolean;
  /** The COPY of the fallback (no MOVE) is done: only \Deleted and UID EXPUNGE remain. */
  copied?: CopyMap;
}

/** Delete for good: \Deleted and UID EXPUNGE of exactly these UIDs (RFC 4315 2.1). */
export interface ExpungeTask extends InFolder {
  kind: 'expunge';
  rows: CachedMessage[];
  allowBareExpunge?: boolean;
}

export type MailTask = FlagsTask | AllReadTask | MoveTask | ExpungeTask;

/** Where the server put copied messages (COPYUID, RFC 4315 3): source UID to target UID. */
export interface CopyMap {
  uidValidity?: string;
  uids: [number, number][];
}

/** A flag set and cleared, in words; %s is the messages. */
const FLAG_WORDS: Record<SystemFlag, [string, string]> = {
  '\\Seen': ['mark %s as read', 'mark %s as unread'],
  '\\Flagged': ['flag %s', 'unflag %s'],
  '\\Answered': ['mark %s as answered', 'mark %s as not answered'],
  '\\Deleted': ['mark %s as deleted', 'mark %s as not deleted'],
};

/** What an action did, in plain words: "archive 3 messages from Inbox", folders named by `name`. */
export function describeTask(task: MailTask, name: (path: string) => string = (path) => path): string {
  const folder = name(task.folder);
  const count = task.kind === 'move' && task.messageIds ? task.messageIds.length : task.uids.length;
  const messages = `${count} message${count === 1 ? '' : 's'}`;
  switch (task.kind) {
    case 'flags': {
      const [set, clear] = FLAG_WORDS[task.flag];
      return `${(task.on ? set : clear).replace('%s', messages)} in ${folder}`;
    }
    case 'allRead':
      return `mark every message in ${folder} as read`;
    case 'move': {
      const from = `${messages} from ${folder}`;
      const target = name(task.target);
      return { move: `move ${from} to ${target}`, archive: `archive ${from}`, trash: `move ${from} to Trash`, junk: `move ${from} to Junk`, undo: `put back ${from} in ${target}` }[task.reason];
    }
    case 'expunge':
      return `delete ${messages} in ${folder} for good`;
  }
}
