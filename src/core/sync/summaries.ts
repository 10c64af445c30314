/** Maps imapflow FETCH results to the plain `MessageSummary` the tree shows. */
import type { FetchMessageObject, MessageAddressObject, MessageStructureObject } from 'imapflow';
import type { Address, MessageFlags, MessageSummary } from '../model/types';

/** What the tree needs, and nothing from the body (RFC 3501 6.4.5). */
export const SUMMARY_QUERY = {
  uid: true,
  flags: true,
  envelope: true,
  size: true,
  internalDate: true,
  bodyStructure: true,
} as const;

export function toMessageSummary(msg: FetchMessageObject, folder: string, uidValidity: string): MessageSummary {
  const env = msg.envelope ?? {};
  const date = validDate(env.date) ?? validDate(msg.internalDate);
  return {
    uid: msg.uid,
    uidValidity,
    folder,
    subject: env.subject?.trim() || '(no subject)',
    from: env.from?.[0] ? toAddress(env.from[0]) : undefined,
    to: (env.to ?? []).map(toAddress),
    cc: (env.cc ?? []).map(toAddress),
    date: date?.toISOString(),
    flags: toFlags(msg.flags ?? new Set()),
    hasAttachment: msg.bodyStructure ? hasAttachment(msg.bodyStructure) : false,
    size: msg.size ?? 0,
    messageId: env.messageId,
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
  return { name: a.name || undefined, address: a.address || undefined };
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
