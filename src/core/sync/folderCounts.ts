/**
 * Message and unread counts of folders, asked on the command connection while its selection is held
 * still: STATUS (RFC 3501 6.3.10) for the other folders and the selection itself for the selected one.
 * Not LIST-STATUS (RFC 5819): it counts every folder listed, which on Dovecot took 31 s for 20,000
 * folders not opened before; counts are asked for the folders shown instead. STATUS must not be used
 * on the selected folder: servers may answer with stale numbers, and imapflow would rewrite the
 * selection's state.
 */
import type { ImapFlow, ListResponse } from 'imapflow';
import { countSelected } from './selectedFolder';
import { runList } from '../imap/imapflowInternals';
import { streamList } from '../imap/listReader';
import type { ListEntry } from '../model/folders';
import type { MailLog } from '../imap/log';
import type { WatchedStatus } from './mailboxWatcher';

const STATUS_QUERY = { messages: true, unseen: true, uidNext: true, highestModseq: true, uidValidity: true };

/** A folder as listed: the LIST reader's small record, or imapflow's with the counts LIST-STATUS gave. */
export type Listed = ListEntry & { status?: ListResponse['status'] };

/**
 * Folders a long listing shows before it ends: the connect goes on with these (the account is online,
 * the tree draws them) while the rest of the answer arrives. The tree's first page (FOLDER_PAGE).
 */
export const FIRST_FOLDERS = 1_000;

/**
 * How long a connect waits for the server's first folders before it goes on with INBOX alone (or the
 * folders kept from the last listing) and lets the listing follow: the 2 s in which an account
 * shows its first folders, less a connect's own round trips.
 */
export const FIRST_FOLDERS_WAIT_MS = 1_000;

/**
 * The folders `pattern` matches (RFC 3501 6.3.8: `*` every folder, `%` one level), without counts
 * and without LSUB: neither is wanted before the tree can show something. Read line by line:
 * `first`, if given, gets the first FIRST_FOLDERS folders (INBOX among them) as soon as they are
 * in, and the rest follows when the whole answer is. A failed or cut LIST rejects, whatever came
 * before it.
 */
export async function listFolders(
  client: ImapFlow,
  pattern: '*' | '%',
  withCounts = false,
  first?: (folders: readonly Listed[]) => void,
): Promise<Listed[]> {
  // With counts where the server gives them in the same answer (LIST-STATUS, RFC 5819): one round
  // trip for the level a connect waits for, instead of a STATUS per folder.
  const statusQuery = withCounts && client.capabilities.has('LIST-STATUS') ? STATUS_QUERY : undefined;
  let list: Listed[];
  if (statusQuery) {
    // imapflow attaches LIST-STATUS answers only when not `listOnly`; with LIST-STATUS the server also
    // has LIST-EXTENDED (RFC 5819 builds on RFC 5258), so no LSUB follows either. Small levels only
    // (COUNTED_TOP_LEVEL): imapflow collecting them whole costs nothing.
    const answer = await runList(client, pattern, { listOnly: false, statusQuery });
    if (!answer) {
      // imapflow answers a failed LIST with nothing rather than an error; no folders is not an answer.
      throw new Error(`LIST "" "${pattern}" failed`);
    }
    list = answer;
  } else {
    list = [];
    await streamList(client, pattern, (folder) => {
      list.push(folder);
      // One page of the tree with INBOX, added if the server has not listed it yet: no "Show more"
      // row is drawn from a count that is not known yet.
      if (list.length === FIRST_FOLDERS - 1 && first) first(withInbox(client, list.slice()));
    });
  }
  return withInbox(client, list);
}

/**
 * INBOX always exists (RFC 3501 5.1), and imapflow lists under the personal namespace's prefix
 * (Cyrus: "INBOX."), which INBOX itself does not match: it is added rather than asked for again.
 */
function withInbox(client: ImapFlow, list: Listed[]): Listed[] {
  if (!list.some((entry) => entry.path.toUpperCase() === 'INBOX')) {
    list.push(inboxEntry(list[0]?.delimiter ?? client.namespace?.delimiter ?? ''));
  }
  return list;
}

/**
 * Top levels of up to this many folders are listed with their counts in the same answer
 * (LIST-STATUS). A larger one is listed without: the server counts every folder listed, opening
 * each (an account with 100,000 folders at the top level took 222 s on Dovecot that way, 20 s
 * without); the counts of the folders shown are asked for as they are shown.
 */
export const COUNTED_TOP_LEVEL = 200;

/**
 * The top level of the folder list (LIST "" "%"), with counts where the server can give them cheaply
 * in the same answer. `knownSize`, the size of the top level when last listed, saves a round trip:
 * a level known to be small is listed with its counts at once; an unknown one is listed without
 * counts first, and again with them if it is small. `first` as for `listFolders`.
 */
export async function listTopLevel(
  client: ImapFlow,
  knownSize: number | undefined,
  first?: (folders: readonly Listed[]) => void,
): Promise<Listed[]> {
  if (!client.capabilities.has('LIST-STATUS')) return listFolders(client, '%', false, first);
  if (knownSize !== undefined && knownSize <= COUNTED_TOP_LEVEL) return listFolders(client, '%', true);
  const names = await listFolders(client, '%', false, first);
  return names.length <= COUNTED_TOP_LEVEL ? listFolders(client, '%', true) : names;
}

/**
 * Whether a level listed is the whole hierarchy: every folder in it says it has no subfolders
 * (RFC 3348 \HasNoChildren, or \Noinferiors: it cannot have any). INBOX added rather than listed
 * (Cyrus) is the parent of what was listed, so it says nothing either way. A server that does not
 * tell (no CHILDREN) gets asked for the whole list.
 */
export function isWholeHierarchy(level: readonly Listed[]): boolean {
  return level.every((entry) => addedInbox.has(entry) || entry.flags.has('\\HasNoChildren') || entry.flags.has('\\Noinferiors'));
}

/** INBOX entries made here, not listed by the server. */
const addedInbox = new WeakSet<Listed>();

/** INBOX as listed by a server that did not list it (or has not yet). */
export function inboxEntry(delimiter: string): Listed {
  const entry: Listed = { path: 'INBOX', name: 'INBOX', delimiter, parentPath: '', flags: new Set(), specialUse: '\\Inbox' };
  addedInbox.add(entry);
  return entry;
}

/** The counts a LIST-STATUS answer carried, for every folder but the selected one (RFC 5819 says its numbers may be stale). */
export function countsListed(list: readonly Listed[], selectedPath: string): WatchedStatus[] {
  return list
    .filter((entry) => entry.status && entry.path !== selectedPath)
    .map((entry) => ({
      path: entry.path,
      messages: entry.status!.messages,
      unseen: entry.status!.unseen,
      uidNext: entry.status!.uidNext,
      highestModseq: entry.status!.highestModseq?.toString(),
      uidValidity: entry.status!.uidValidity?.toString(),
    }));
}

/** Counts of every folder: one LIST-STATUS of the whole hierarchy, the selected folder from its selection (RFC 5819 5). */
export async function countsOfAll(client: ImapFlow, selectedPath: string): Promise<WatchedStatus[]> {
  return [...countsListed(await listFolders(client, '*', true), selectedPath), await countSelected(client)];
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
        statuses.push({
          path,
          messages: status.messages,
          unseen: status.unseen,
          uidNext: status.uidNext,
          highestModseq: status.highestModseq?.toString(),
          uidValidity: status.uidValidity?.toString(),
        });
      } else {
        log.debug(`STATUS ${path} got no answer`);
      }
    } catch (err) {
      log.debug(`STATUS ${path} failed: ${(err as Error).message}`);
    }
  }
  return statuses;
}
