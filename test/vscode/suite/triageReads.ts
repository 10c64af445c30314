/**
 * What the triage suites read, on any server: the tree's rows of a folder at any depth (`Work` on
 * Dovecot, `INBOX.Work` under the Inbox on Cyrus) and, to check an action, what the server holds
 * as a second IMAP client sees it (the server's truth, not the tree's).
 */
import * as assert from 'node:assert/strict';
import type { ActionReceipt } from '../../../src/core';
import type { MailroomApi } from '../../../src/extension';
import type { AccountNode } from '../../../src/tree/accountNode';
import type { FolderNode } from '../../../src/tree/folderNode';
import type { MessageNode } from '../../../src/tree/messageNode';
import type { TreeNode } from '../../../src/tree/treeNode';
import { withOtherClient } from '../../support/otherClient';
import type { TestImapServer } from '../../support/session';
import { until } from '../../support/waitFor';
import { folderRows } from './folderRows';

/** The suite's world, set in its before(): read through a function so the reads can be made first. */
export interface TriageWorld {
  api: MailroomApi;
  id: string;
  server: TestImapServer;
}

export function triageReads(world: () => TriageWorld) {
  const session = () => world().api.sessions.get(world().id)!;
  const account = async () => ((await world().api.tree.getChildren()) as TreeNode[]).find((n) => (n as AccountNode).accountId === world().id) as AccountNode | undefined;
  /** The folder's node, its parents expanded on the way (a subfolder's node is made when its parent is). */
  const folder = (path: string) =>
    until(async () => {
      const top = await account();
      return top && findFolder(top, path);
    }, 15_000, `the folder ${path}`);
  const rows = async (path: string) => (await folderRows(await folder(path))).filter((n): n is MessageNode => /^message/.test(String(n.getTreeItem().contextValue)));
  const row = async (path: string, subject: string) => {
    const found = (await rows(path)).find((m) => m.summary.subject === subject);
    assert.ok(found, `a row "${subject}" in ${path}`);
    return found;
  };
  /** What the server holds, read by another client: subject → flags. */
  const onServer = (path: string) =>
    withOtherClient(world().server, 'alice', async (client) => {
      await client.mailboxOpen(path, { readOnly: true });
      const out = new Map<string, string[]>();
      for await (const m of client.fetch('1:*', { envelope: true, flags: true })) out.set(m.envelope?.subject ?? '', [...(m.flags ?? [])]);
      return out;
    }).catch(() => new Map<string, string[]>());
  const subjects = async (path: string) => [...(await onServer(path)).keys()].sort();
  /**
   * Resolves once the server has done with every action a command returned. A refusal rejects only
   * if it comes while waiting (core's whenDone resolves for a task already settled either way).
   */
  const done = (receipts: unknown) => Promise.all((receipts as ActionReceipt[]).map((r) => session().whenDone(r.id)));
  return { session, account, folder, rows, row, onServer, subjects, done };
}

/** Walks down from the account through the folders whose path starts `path`. */
async function findFolder(account: AccountNode, path: string): Promise<FolderNode | undefined> {
  let children = ((await account.getChildren()) ?? []) as TreeNode[];
  for (;;) {
    const folders = children.filter((n): n is FolderNode => typeof (n as FolderNode).path === 'string' && 'folder' in n);
    const found = folders.find((f) => f.path === path);
    if (found) return found;
    const parent = folders.find((f) => f.folder.delimiter && path.startsWith(`${f.path}${f.folder.delimiter}`));
    if (!parent) return undefined;
    children = ((await parent.getChildren()) ?? []) as TreeNode[];
  }
}
