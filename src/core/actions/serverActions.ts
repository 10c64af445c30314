/**
 * The remote part of each action, on the command connection with the task's folder selected (the
 * folder's owner runs it; `TaskQueue`). One command per set of UIDs (RFC 3501 9 sequence-set), so
 * 500 rows are one UID MOVE. A refused command is an error, never "nothing to do": imapflow answers
 * a NO with `false`, which becomes a MailError here, and a link that died under the command is
 * left to the connection's own error (the task is tried again after reconnecting).
 *
 * imapflow's `messageMove` without MOVE, and `messageDelete` without UIDPLUS, send a bare EXPUNGE,
 * which also removes every message another client marked \Deleted: neither is called then unless
 * the user accepted exactly that (`allowBareExpunge`).
 */
import type { ImapFlow } from 'imapflow';
import type { FlagUpdate } from '../cache/mailCache';
import { MailError } from '../imap/errors';
import { takeRefusal } from '../imap/refusals';
import { keywordsOf, toFlags } from '../sync/summaries';
import type { CopyMap, ExpungeTask, FlagsTask, MailTask, MoveTask } from './mailTasks';
import { uidSets } from './uidSet';

/** Message-IDs per UID SEARCH: an OR of them per command (RFC 3501 6.4.4). */
const IDS_PER_SEARCH = 20;

/** What the server said back: where moved messages went (COPYUID), the flags a STORE left (with their MODSEQ). */
export interface TaskOutcome {
  copied?: CopyMap;
  flags?: FlagUpdate[];
}

/**
 * Performs `task` on `client`, whose selected folder is the task's. `copied` is called once the
 * COPY of a move without MOVE is done, before the EXPUNGE: the queue stores it, so a retry after a
 * cut does not copy again.
 */
export async function performTask(client: ImapFlow, task: MailTask, copied: (map: CopyMap) => void): Promise<TaskOutcome> {
  const selected = client.mailbox ? String(client.mailbox.uidValidity) : undefined;
  if (task.uidValidity !== undefined && selected !== task.uidValidity) {
    // RFC 3501 2.3.1.1: the folder was made anew; these UIDs name other messages now, or none.
    throw new MailError({ code: 'protocol', message: `${task.folder} was replaced on the server since; its messages are not the ones chosen.` });
  }
  switch (task.kind) {
    case 'flags':
      return { flags: await storeFlags(client, task) };
    case 'allRead':
      // RFC 3501 6.4.6: one STORE over every message, by sequence number; an empty folder has none.
      // SILENT: the folder's catch-up after the task reads what changed, not a line per message here.
      if (client.mailbox && client.mailbox.exists > 0) {
        if (!(await client.messageFlagsAdd('1:*', ['\\Seen'], { silent: true }))) throw refused(client, `mark every message in ${task.folder} as read`);
      }
      return {};
    case 'move':
      return { copied: await moveMessages(client, task, copied) };
    case 'expunge':
      await expunge(client, task, task.uids);
      return {};
  }
}

/**
 * One UID STORE per set. The server answers with each message's flags and, with CONDSTORE, its new
 * MODSEQ (RFC 7162 3.1.4): kept, so that a report older than this STORE, applied after it, is
 * recognised as older and does not show the flags from before.
 */
async function storeFlags(client: ImapFlow, task: FlagsTask): Promise<FlagUpdate[]> {
  const path = client.mailbox ? client.mailbox.path : task.folder;
  const reported: FlagUpdate[] = [];
  const listener = (event: { path: string; uid?: number; flags: Set<string>; modseq?: bigint }) => {
    if (event.uid && event.path === path) reported.push({ uid: event.uid, flags: toFlags(event.flags), keywords: keywordsOf(event.flags), modseq: event.modseq?.toString() });
  };
  client.on('flags', listener);
  try {
    for (const set of uidSets(task.uids)) {
      const stored = task.on ? await client.messageFlagsAdd(set, [task.flag], { uid: true }) : await client.messageFlagsRemove(set, [task.flag], { uid: true });
      if (!stored) throw refused(client, `${task.on ? 'set' : 'clear'} ${task.flag} in ${task.folder}`);
    }
  } finally {
    client.off('flags', listener);
  }
  return reported;
}

/**
 * MOVE (RFC 6851) where the server has it; else COPY, then \Deleted and UID EXPUNGE (RFC 4315) of
 * exactly those UIDs. A cut between the COPY and the EXPUNGE leaves the mail in both folders; the
 * retry copies again unless the COPY was recorded, so at worst a duplicate, never a loss.
 */
async function moveMessages(client: ImapFlow, task: MoveTask, copied: (map: CopyMap) => void): Promise<CopyMap | undefined> {
  const uids = task.messageIds ? await uidsByMessageId(client, task.folder, task.messageIds) : task.uids;
  if (!uids.length) {
    throw new MailError({ code: 'protocol', message: `none of the messages are in ${task.folder} any more.` });
  }
  const map: CopyMap = task.copied ?? { uids: [] };
  if (client.capabilities.has('MOVE')) {
    for (const set of uidSets(uids)) {
      const moved = await client.messageMove(set, task.target, { uid: true });
      if (!moved) throw refused(client, `move messages from ${task.folder} to ${task.target}`);
      addCopyUids(map, moved);
    }
    return map;
  }
  if (!client.capabilities.has('UIDPLUS') && !task.allowBareExpunge) throw bareExpungeRefused(task.folder);
  if (!task.copied) {
    for (const set of uidSets(uids)) {
      const result = await client.messageCopy(set, task.target, { uid: true });
      if (!result) throw refused(client, `copy messages from ${task.folder} to ${task.target}`);
      addCopyUids(map, result);
    }
    copied(map);
  }
  await expunge(client, task, uids);
  return map;
}

/** \Deleted, then UID EXPUNGE of exactly `uids` (RFC 4315 2.1); a bare EXPUNGE only if the user accepted it. */
async function expunge(client: ImapFlow, task: MoveTask | ExpungeTask, uids: readonly number[]): Promise<void> {
  if (!client.capabilities.has('UIDPLUS') && !task.allowBareExpunge) throw bareExpungeRefused(task.folder);
  for (const set of uidSets(uids)) {
    // imapflow's messageDelete: STORE +FLAGS (\Deleted), then UID EXPUNGE of the set with UIDPLUS.
    if (!(await client.messageDelete(set, { uid: true }))) throw refused(client, `remove messages from ${task.folder}`);
  }
}

/** The UIDs in the selected folder of messages with these Message-IDs (UID SEARCH HEADER, RFC 3501 6.4.4). */
export async function uidsByMessageId(client: ImapFlow, folder: string, messageIds: readonly string[]): Promise<number[]> {
  const found: number[] = [];
  for (let i = 0; i < messageIds.length; i += IDS_PER_SEARCH) {
    const ids = messageIds.slice(i, i + IDS_PER_SEARCH);
    const query = ids.length === 1 ? { header: { 'message-id': ids[0] } } : { or: ids.map((id) => ({ header: { 'message-id': id } })) };
    const uids = await client.search(query, { uid: true });
    // A failed SEARCH is not "none found" (STYLE mistake 6).
    if (!Array.isArray(uids)) throw refused(client, `search ${folder} for the messages`);
    found.push(...uids);
  }
  return found;
}

function addCopyUids(map: CopyMap, result: { uidValidity?: bigint; uidMap?: Map<number, number> }): void {
  if (result.uidValidity !== undefined) map.uidValidity = String(result.uidValidity);
  for (const pair of result.uidMap ?? []) map.uids.push(pair);
}

/**
 * A command that failed while the connection is still up was refused by the server; one that
 * failed with the link gone is the link's failure, and `inFolder` says so (the task is retried).
 */
function refused(client: ImapFlow, what: string): Error {
  if (!client.usable) return new Error(`the connection closed while trying to ${what}`);
  // What the server said, kept from imapflow's log entry (it answers a NO with `false` only).
  const said = takeRefusal(client);
  // The action is named by whoever says this ("Could not archive 2 messages from INBOX: …").
  const words = said?.text ? ` (it said: ${said.text})` : '';
  if (said?.temporary) return new MailError({ code: 'busy', message: `the server could not do it just now${words}.` });
  return new MailError({ code: 'protocol', message: `the server refused${words}.` });
}

function bareExpungeRefused(folder: string): MailError {
  return new MailError({
    code: 'protocol',
    message: `the server cannot remove only these messages from ${folder} (it lacks UIDPLUS), and removing every message marked deleted there was not accepted.`,
  });
}
