/** Maps imapflow FETCH results to the plain `MessageSummary` the tree shows. */
import type { MessageAddressObject, MessageStructureObject } from 'imapflow';
import type { CachedMessage } from '../cache/rows';
import type { SummaryLine } from '../imap/fetchLine';
import type { Address, MessageFlags, MessageSummary } from '../model/types';
import { storableText } from '../model/storableText';

/** The header fields that triage, threads and grouping of notification mail read, beyond the envelope. */
export const EXTRA_HEADERS = ['references', 'list-id', 'x-github-reason'];

/** What the tree needs, and nothing from the body (RFC 3501 6.4.5). */
export const SUMMARY_QUERY = {
  uid: true,
  flags: true,
  envelope: true,
  size: true,
  internalDate: true,
  bodyStructure: true,
  headers: EXTRA_HEADERS,
} as const;

/** A summary as the mirror keeps it: the tree's fields, plus keywords, MODSEQ and the grouping headers. */
export function toCachedMessage(msg: SummaryLine, folder: string, uidValidity: string): CachedMessage {
  // The fields asked for are often all absent: the server then sends the blank line alone.
  const headers = msg.headers && msg.headers.length > 2 ? parseHeaders(msg.headers.toString('latin1')) : NO_HEADERS;
  const references = headers.get('references')?.match(/<[^<>\s]+>/g) ?? undefined;
  const listId = headers.get('list-id')?.match(/<([^<>\s]+)>/)?.[1] ?? headers.get('list-id')?.trim();
  const internalDate = validDate(msg.internalDate);
  // The summary gains the mirror's fields in place: a full mirror maps every message of a folder.
  const cached: CachedMessage = toMessageSummary(msg, folder, uidValidity);
  cached.keywords = keywordsOf(msg.flags);
  cached.modseq = msg.modseq?.toString();
  cached.internalDate = internalDate?.toISOString();
  cached.inReplyTo = storableText(msg.envelope?.inReplyTo) || undefined;
  cached.references = references ? references.slice(-100).map((ref) => storableText(ref)) : undefined;
  cached.listId = storableText(listId) || undefined;
  cached.githubReason = storableText(headers.get('x-github-reason')?.trim()) || undefined;
  return cached;
}

const NO_HEADERS: ReadonlyMap<string, string> = new Map();

/** Unfolded header fields by lower-case name (RFC 5322 2.2.3); the first of each name wins. */
export function parseHeaders(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let name: string | undefined;
  let value = '';
  const keep = () => {
    if (name && !fields.has(name)) fields.set(name, value.trim().slice(0, 2_000));
  };
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // A folded line continues the field above.
      if (name && value.length < 4_000) value += ` ${line.trim()}`;
      continue;
    }
    keep();
    const colon = line.indexOf(':');
    name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : undefined;
    value = colon > 0 ? line.slice(colon + 1) : '';
  }
  keep();
  return fields;
}

const SYSTEM_FLAGS = new Set(['\\seen', '\\flagged', '\\answered', '\\deleted', '\\draft', '\\recent']);
/** As servers spell them (RFC 3501 2.3.2): most flags are found here without lower-casing. */
const SYSTEM_FLAGS_AS_SENT = new Set(['\\Seen', '\\Flagged', '\\Answered', '\\Deleted', '\\Draft', '\\Recent']);

/** Flags beyond the system ones: keywords such as `$Forwarded` or `$Junk`. */
export function keywordsOf(flags: Set<string> | undefined): string[] | undefined {
  let keywords: string[] | undefined;
  if (flags) {
    for (const flag of flags) {
      if (!SYSTEM_FLAGS_AS_SENT.has(flag) && !SYSTEM_FLAGS.has(flag.toLowerCase())) (keywords ??= []).push(flag);
    }
  }
  return keywords;
}

export function toMessageSummary(msg: SummaryLine, folder: string, uidValidity: string): MessageSummary {
  const env = msg.envelope ?? {};
  const date = validDate(env.date) ?? validDate(msg.internalDate);
  return {
    uid: msg.uid,
    uidValidity,
    folder,
    subject: storableText(env.subject?.trim()) || '(no subject)',
    from: env.from?.[0] ? toAddress(env.from[0]) : undefined,
    to: (env.to ?? []).map(toAddress),
    cc: (env.cc ?? []).map(toAddress),
    date: date?.toISOString(),
    flags: toFlags(msg.flags ?? new Set()),
    // The bulk reader gives the bit; imapflow's fetch gives the structure.
    hasAttachment: msg.hasAttachment ?? (msg.bodyStructure ? hasAttachment(msg.bodyStructure) : false),
    size: msg.size ?? 0,
    messageId: storableText(env.messageId),
  };
}

export function toFlags(flags: Set<string>): MessageFlags {
  return {
    seen: flags.has('\\Seen'),
    flagged: flags.has('\\Flagged'),
    answered: flags.has('\\Answered'),
    deleted: flags.has('\\Deleted'),
    draft: flags.has('\\Draft'),
  };
}

function toAddress(a: MessageAddressObject): Address {
  return { name: storableText(a.name) || undefined, address: storableText(a.address) || undefined };
}

function validDate(value: Date | string | undefined): Date | undefined {
  if (!value) {
    return undefined;
  }
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * A part counts as an attachment when it says so, or is a named non-text leaf (RFC 2183). The
 * structure comes from the server, nested as deep as it likes: walked with a stack, not recursion.
 */
export function hasAttachment(root: MessageStructureObject): boolean {
  const pending = [root];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (node.childNodes?.length) {
      for (let i = node.childNodes.length - 1; i >= 0; i--) {
        pending.push(node.childNodes[i]);
      }
    } else if (isAttachmentLeaf(node)) {
      return true;
    }
  }
  return false;
}

function isAttachmentLeaf(node: MessageStructureObject): boolean {
  if (node.disposition?.toLowerCase() === 'attachment') {
    return true;
  }
  const named = Boolean(node.dispositionParameters?.filename || node.parameters?.name);
  return named && !node.type.startsWith('text/') && node.disposition?.toLowerCase() !== 'inline';
}
