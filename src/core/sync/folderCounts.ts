/**
 * Message and unread counts of folders, asked on the command connection while its selection is held
 * still: STATUS (RFC 3501 6.3.10) for the other folders, LIST-STATUS (RFC 5819) where the server has
 * it, and the selection itself for the selected folder. STATUS must not be used on the selected
 * folder: servers may answer with stale numbers, and imapflow would rewrite the selection's state.
 */
import type { ImapFlow, ListResponse } from 'imapflow';
import { countSelected } from './folderPages';
import type { MailLog } from '../imap/log';
import type { WatchedStatus } from './mailboxWatcher';

const STATUS_QUERY = { messages: true, unseen: true, uidNext: true, highestModseq: true };

/** The folder list with the counts of every selectable folder. */
export async function listWithCounts(client: ImapFlow, selectedPath: string, log: MailLog): Promise<{ list: ListResponse[]; statuses: WatchedStatus[] }> {
  const withStatus = client.capabilities.has('LIST-STATUS');
  const list = await client.list(withStatus ? { statusQuery: STATUS_QUERY } : {});
  const others = list.filter((entry) => entry.path !== selectedPath && isSelectable(entry));
  const statuses = withStatus
    ? others.filter((entry) => entry.status).map(toWatchedStatus)
    : await statusEach(client, others.map((entry) => entry.path), log);
  if (list.some((entry) => entry.path === selectedPath)) {
    statuses.push(await countSelected(client));
  }
  return { list, statuses };
}

/** Counts of `paths`: one STATUS each, the selected folder from its selection. */
export async function countsOf(client: ImapFlow, selectedPath: string, paths: readonly string[], log: MailLog): Promise<WatchedStatus[]> {
  const statuses = await statusEach(client, paths.filter((path) => path !== selectedPath), log);
  if (paths.includes(selectedPath)) {
    statuses.push(await countSelected(client));
  }
  return statuses;
}

/** STATUS of each folder in turn; a folder whose STATUS fails keeps its old counts, and the failure is logged. */
async function statusEach(client: ImapFlow, paths: readonly string[], log: MailLog): Promise<WatchedStatus[]> {
  const statuses: WatchedStatus[] = [];
  for (const path of paths) {
    try {
      const status = await client.status(path, STATUS_QUERY);
      if (status) {
        statuses.push({ path, messages: status.messages, unseen: status.unseen, uidNext: status.uidNext, highestModseq: status.highestModseq?.toString() });
      } else {
        log.debug(`STATUS ${path} got no answer`);
      }
    } catch (err) {
      log.debug(`STATUS ${path} failed: ${(err as Error).message}`);
    }
  }
  return statuses;
}

function isSelectable(entry: ListResponse): boolean {
  return !entry.flags.has('\\Noselect') && !entry.flags.has('\\NonExistent');
}

function toWatchedStatus(entry: ListResponse): WatchedStatus {
  return { path: entry.path, ...entry.status, highestModseq: entry.status?.highestModseq?.toString() };
}

/** The last known numbers of a folder with the ones `now` brings; a number `now` lacks stays as it was. */
export function mergeStatus(before: WatchedStatus | undefined, now: WatchedStatus): WatchedStatus {
  const known = Object.fromEntries(Object.entries(now).filter(([, value]) => value !== undefined));
  return { ...before, ...known } as WatchedStatus;
}

/** True when a number both reports know differs: counts from a selection carry no UIDNEXT, and that is not a change. */
export function statusMoved(before: WatchedStatus, now: WatchedStatus): boolean {
  return (['messages', 'unseen', 'uidNext', 'highestModseq'] as const).some(
    (key) => before[key] !== undefined && now[key] !== undefined && before[key] !== now[key],
  );
}
