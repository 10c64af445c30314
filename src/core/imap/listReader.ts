/**
 * LIST (RFC 3501 6.3.8) read as the server sends it: each untagged `* LIST` line becomes one small
 * folder record at once, handed on before the next line is read. imapflow's own `list()` collects
 * an object per line (a Set of flags, an array of parent names, subscription state) and hands over
 * the whole array only at the tagged OK; for an account with 100,000 folders that is 100,000 such
 * objects on the heap before the tree can show the first one.
 *
 * Only the plain form is read here (no RETURN options, no LSUB), which is what imapflow sends for a
 * `listOnly` listing; LIST-STATUS answers of small levels still go through imapflow (`runList`).
 */
import type { ImapFlow } from 'imapflow';
import { execCommand, imapflowTools, type ImapflowToken } from './imapflowInternals';

/** One folder as a LIST line names it: what the folder tree needs, and nothing more. */
export interface ListedFolder {
  path: string;
  /** The last part of the path. */
  name: string;
  delimiter: string;
  parentPath: string;
  /** Shared by every folder listed with the same attributes: not to be changed. */
  flags: ReadonlySet<string>;
}

/**
 * Lists `pattern` under the personal namespace (RFC 2342; imapflow's reference, `INBOX.` on Cyrus)
 * and calls `onFolder` for each folder as its line arrives. Resolves at the tagged OK; a NO, a BAD
 * or a connection lost before it rejects, whatever was handed on before: a listing cut short is not
 * the list of folders.
 */
export async function streamList(client: ImapFlow, pattern: string, onFolder: (folder: ListedFolder) => void): Promise<void> {
  const tools = imapflowTools;
  // imapflow's choice: XLIST only on servers that have it but not SPECIAL-USE (old Gmail).
  const command = client.capabilities.has('XLIST') && !client.capabilities.has('SPECIAL-USE') ? 'XLIST' : 'LIST';
  const reference = tools.encodePath(client, tools.normalizePath(client, ''));
  const mailbox = tools.encodePath(client, tools.normalizePath(client, pattern, true));
  const flagSets = new FlagSets();
  const response = await execCommand(client, command, [reference, mailbox], {
    untagged: {
      [command]: async (untagged) => {
        const attributes = untagged.attributes as ImapflowToken[] | undefined;
        if (!attributes?.length) return;
        const folder = readListLine(client, attributes, flagSets);
        if (folder) onFolder(folder);
      },
    },
  });
  response.next();
}

/** `* LIST (<attributes>) "<delimiter>" <name>` (RFC 3501 7.2.2) as a folder record, the path decoded as imapflow does. */
function readListLine(client: ImapFlow, attributes: ImapflowToken[], flagSets: FlagSets): ListedFolder | undefined {
  const tools = imapflowTools;
  const raw = stringOf(attributes[2]);
  if (raw === undefined) return undefined;
  const delimiter = stringOf(attributes[1]) ?? '';
  let path = tools.normalizePath(client, tools.decodePath(client, raw));
  // Some servers put the delimiter in front of every path.
  if (delimiter && path.charAt(0) === delimiter) path = path.slice(1);
  const cut = delimiter ? path.lastIndexOf(delimiter) : -1;
  return {
    path,
    name: cut < 0 ? path : path.slice(cut + delimiter.length),
    delimiter,
    parentPath: cut < 0 ? '' : path.slice(0, cut),
    flags: flagSets.of(attributes[0]),
  };
}

/** A string token's text (a literal arrives as a Buffer); undefined for NIL or a list. */
function stringOf(token: ImapflowToken | undefined): string | undefined {
  if (!token || Array.isArray(token)) return undefined;
  return Buffer.isBuffer(token.value) ? token.value.toString() : token.value;
}

/**
 * One Set per distinct combination of attributes: 100,000 folders listed `(\HasNoChildren)` share
 * one Set and one copy of each attribute's text instead of holding 100,000 of each.
 */
class FlagSets {
  private readonly sets = new Map<string, ReadonlySet<string>>();

  of(token: ImapflowToken | undefined): ReadonlySet<string> {
    const flags = Array.isArray(token) ? token.map(stringOf).filter((flag): flag is string => Boolean(flag)) : [];
    const key = flags.join(' ');
    let set = this.sets.get(key);
    if (!set) {
      // RFC 5258 3: \NonExistent implies \Noselect; imapflow adds it too, and the tree reads \Noselect.
      if (flags.includes('\\NonExistent') && !flags.includes('\\Noselect')) flags.push('\\Noselect');
      set = new Set(flags);
      this.sets.set(key, set);
    }
    return set;
  }
}
