/**
 * The one way Mailroom names accounts, folders and messages: the tree's node ids, the panels'
 * registry keys and the webview's saved state all come from here, so the same message is the
 * same id everywhere. A message is named by its folder's UIDVALIDITY and its UID (RFC 3501
 * 2.3.1.1): after a UIDVALIDITY change the old ids name nothing, as they should.
 */

/** A message as the panels, commands and the webview's saved state refer to it. */
export interface MessageRef {
  accountId: string;
  folder: string;
  uidValidity: string;
  uid: number;
}

export function accountNodeId(accountId: string): string {
  return `account/${accountId}`;
}

export function folderNodeId(accountId: string, path: string): string {
  return `${accountNodeId(accountId)}/folder/${path}`;
}

export function messageNodeId(ref: MessageRef): string {
  return `${folderNodeId(ref.accountId, ref.folder)}/msg/${ref.uidValidity}:${ref.uid}`;
}

/** Reads a message id back; undefined for anything else. Folder paths may hold `/`: the last `/msg/` counts. */
export function parseMessageNodeId(id: string): MessageRef | undefined {
  const m = /^account\/([^/]+)\/folder\/(.+)\/msg\/(\d+):(\d+)$/.exec(id);
  return m ? { accountId: m[1], folder: m[2], uidValidity: m[3], uid: Number(m[4]) } : undefined;
}
