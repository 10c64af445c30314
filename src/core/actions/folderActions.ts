/**
 * What the user does to folders, on the server: CREATE, RENAME and DELETE (RFC 3501 6.3.3 to
 * 6.3.5), with the subscriptions (6.3.6, 6.3.7) following, so that a client that shows only
 * subscribed folders sees what Mailroom made. The names are checked first, in plain words; a
 * refusal by the server is an error in its words, never taken for done.
 */
import type { ImapFlow } from 'imapflow';
import type { MailCache } from '../cache/mailCache';
import type { FolderInfo } from '../model/types';

/** Wildcards of LIST (RFC 3501 6.3.8) and line ends: a name holding one could never be listed back as itself. */
const NOT_IN_A_NAME = /[%*\r\n\0]/;

/** Why `name` cannot name a folder (under a server whose delimiter is `delimiter`), or undefined. */
export function folderNameProblem(name: string, delimiter: string | undefined): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) return 'A folder needs a name.';
  if (trimmed !== name) return 'A folder name cannot start or end with a space.';
  if (NOT_IN_A_NAME.test(name)) return 'A folder name cannot hold %, * or a line break.';
  if (delimiter && name.includes(delimiter)) return `A folder name cannot hold "${delimiter}": this server separates folders with it.`;
  if (name.toUpperCase() === 'INBOX') return 'INBOX is the name of the inbox.';
  return undefined;
}

/** The path of folder `name` inside `parent` (at the top when undefined). */
export function pathFor(parent: string | undefined, name: string, delimiter: string | undefined): string {
  return parent ? `${parent}${delimiter ?? ''}${name}` : name;
}

/** The path `path` gets when its last part is renamed `name`. */
export function renamedPath(path: string, name: string, delimiter: string | undefined): string {
  const cut = delimiter ? path.lastIndexOf(delimiter) : -1;
  return cut < 0 ? name : `${path.slice(0, cut + delimiter!.length)}${name}`;
}

/** CREATE (imapflow subscribes it too); returns the path as the server made it (Cyrus puts it under INBOX.). */
export async function createFolder(client: ImapFlow, path: string): Promise<string> {
  const made = await client.mailboxCreate(path);
  if (!made.created) throw new Error(`A folder named ${path} is there already.`);
  return made.path;
}

/**
 * RENAME, and the subscriptions of the folder and its subfolders (`moved`, old paths) moved with
 * it: servers differ on whether RENAME moves them.
 */
export async function renameFolder(client: ImapFlow, from: string, to: string, moved: readonly string[]): Promise<string> {
  const renamed = await client.mailboxRename(from, to);
  for (const path of moved) {
    await subscribe(client, path, false);
    await subscribe(client, renamed.newPath + path.slice(from.length), true);
  }
  return renamed.newPath;
}

/** DELETE, then UNSUBSCRIBE (RFC 3501: deleting a folder leaves its subscription). */
export async function deleteFolder(client: ImapFlow, path: string): Promise<void> {
  await client.mailboxDelete(path);
  await subscribe(client, path, false);
}

/** The subscription follows; a server that refuses it has still done the folder's work, which stands. */
async function subscribe(client: ImapFlow, path: string, on: boolean): Promise<void> {
  try {
    if (on) await client.mailboxSubscribe(path);
    else await client.mailboxUnsubscribe(path);
  } catch {
    // Subscriptions are a convenience for other clients; the folder itself is made, renamed or gone.
  }
}

/** What folder edits need of the session: the command connection, the folder list, the mirror and the open folders. */
export interface FolderEditPlaces {
  /** Runs `work` on the command connection with INBOX selected (never the folder being edited). */
  inInbox<T>(work: (client: ImapFlow) => Promise<T>): Promise<T>;
  folder(path: string): FolderInfo | undefined;
  /** The delimiter of the top level, for a folder made there. */
  topDelimiter(): string | undefined;
  /** Lists the folders again (other clients see the change by NOTIFY or their next LIST). */
  refresh(): Promise<unknown>;
  /**
   * Before `paths` are renamed or deleted: their windows close and no connection keeps one of them
   * selected (a server may close a connection whose selected folder goes).
   */
  leave(paths: readonly string[]): Promise<void>;
  cache: MailCache;
}

/** Create, rename and delete, from the session: names checked, the server asked, the mirror and the list following. */
export class FolderEdits {
  constructor(private readonly places: FolderEditPlaces) {}

  /** Makes folder `name` at the top (`parent` undefined) or inside `parent`; returns its path. */
  async create(parent: string | undefined, name: string): Promise<string> {
    const delimiter = parent ? this.known(parent).delimiter : this.places.topDelimiter();
    this.checkName(name, delimiter);
    const path = await this.places.inInbox((client) => createFolder(client, pathFor(parent, name, delimiter)));
    await this.places.refresh();
    return path;
  }

  /** Gives folder `path` the name `name` (its subfolders move with it); returns its new path. */
  async rename(path: string, name: string): Promise<string> {
    const folder = this.known(path);
    this.checkNotInbox(path, 'renamed');
    this.checkName(name, folder.delimiter);
    const to = renamedPath(path, name, folder.delimiter);
    const gone = this.withSubfolders(folder);
    await this.places.leave(gone);
    const renamed = await this.places.inInbox((client) => renameFolder(client, path, to, gone));
    // The mirror of the old paths is void: the folders are mirrored anew under their new paths when opened.
    this.places.cache.removeFolders(gone);
    await this.places.refresh();
    return renamed;
  }

  /** Deletes folder `path` and the mail in it, for good (the caller asked the user, with the count). */
  async delete(path: string): Promise<void> {
    const folder = this.known(path);
    this.checkNotInbox(path, 'deleted');
    const gone = this.withSubfolders(folder);
    await this.places.leave(gone);
    await this.places.inInbox((client) => deleteFolder(client, path));
    this.places.cache.removeFolders(gone);
    await this.places.refresh();
  }

  private known(path: string): FolderInfo {
    const folder = this.places.folder(path);
    if (!folder) throw new Error(`There is no folder ${path} in the list; refresh the folders and try again.`);
    return folder;
  }

  private checkName(name: string, delimiter: string | undefined): void {
    const problem = folderNameProblem(name, delimiter);
    if (problem) throw new Error(problem);
  }

  private checkNotInbox(path: string, what: string): void {
    if (path.toUpperCase() === 'INBOX') throw new Error(`The inbox cannot be ${what}.`);
  }

  private withSubfolders(folder: FolderInfo): string[] {
    const paths: string[] = [];
    const pending = [folder];
    for (let next = pending.pop(); next; next = pending.pop()) {
      paths.push(next.path);
      pending.push(...next.children);
    }
    return paths;
  }
}
