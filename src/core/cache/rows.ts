/** Maps message summaries to the mirror's rows and back. Pure functions. */
import type { Address, MessageFlags, MessageSummary } from '../model/types';
import { storableText } from '../model/storableText';

/** A summary as the mirror keeps it: what the tree shows, plus what triage, threads and search group by. */
export interface CachedMessage extends MessageSummary {
  /** Flags beyond the system ones (keywords, `$Forwarded`, …). */
  keywords?: string[];
  /** The message's MODSEQ (RFC 7162), decimal. */
  modseq?: string;
  /** ISO 8601 internal date (RFC 3501 2.3.3). */
  internalDate?: string;
  inReplyTo?: string;
  references?: string[];
  listId?: string;
  /** GitHub's X-GitHub-Reason header: why a notification was sent. */
  githubReason?: string;
}

export interface MessageRow {
  uid: number;
  flags: number;
  keywords: string | null;
  modseq: string | null;
  internal_date: number | null;
  size: number;
  from_name: string | null;
  from_address: string | null;
  to_json: string | null;
  cc_json: string | null;
  subject: string;
  date: number | null;
  message_id: string | null;
  in_reply_to: string | null;
  refs: string | null;
  list_id: string | null;
  github_reason: string | null;
  has_attachment: number;
  preview: string | null;
}

const FLAG_BITS: [keyof MessageFlags, number][] = [
  ['seen', 1],
  ['flagged', 2],
  ['answered', 4],
  ['deleted', 8],
  ['draft', 16],
];

export function flagBits(flags: MessageFlags): number {
  let bits = 0;
  for (const [name, bit] of FLAG_BITS) if (flags[name]) bits |= bit;
  return bits;
}

export function flagsOf(bits: number): MessageFlags {
  const flags = { seen: false, flagged: false, answered: false, deleted: false, draft: false };
  for (const [name, bit] of FLAG_BITS) flags[name] = (bits & bit) !== 0;
  return flags;
}

const time = (iso: string | undefined) => {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(ms) ? null : ms;
};
const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());
const orNull = <T>(value: T | undefined) => (value === undefined ? null : value);
const addresses = (json: string | null): Address[] => (json ? (JSON.parse(json) as Address[]) : []);

/** The row's values in the column order of `MESSAGE_COLUMNS`, after folder; no text with a NUL (see storableText). */
export function toRowValues(m: CachedMessage): (string | number | null)[] {
  const values: (string | number | null)[] = [
    m.uid,
    flagBits(m.flags),
    m.keywords?.length ? m.keywords.join(' ') : null,
    orNull(m.modseq),
    time(m.internalDate),
    m.size,
    orNull(m.from?.name),
    orNull(m.from?.address),
    m.to.length ? JSON.stringify(m.to) : null,
    m.cc.length ? JSON.stringify(m.cc) : null,
    m.subject,
    time(m.date),
    orNull(m.messageId),
    orNull(m.inReplyTo),
    m.references?.length ? m.references.join(' ') : null,
    orNull(m.listId),
    orNull(m.githubReason),
    m.hasAttachment ? 1 : 0,
    orNull(m.preview),
  ];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value === 'string') values[i] = storableText(value);
  }
  return values;
}

export const MESSAGE_COLUMNS = [
  'uid', 'flags', 'keywords', 'modseq', 'internal_date', 'size', 'from_name', 'from_address', 'to_json', 'cc_json',
  'subject', 'date', 'message_id', 'in_reply_to', 'refs', 'list_id', 'github_reason', 'has_attachment', 'preview',
] as const;

export function fromRow(row: MessageRow, folder: string, uidValidity: string): CachedMessage {
  const from = row.from_name !== null || row.from_address !== null ? { name: row.from_name ?? undefined, address: row.from_address ?? undefined } : undefined;
  return {
    uid: row.uid,
    uidValidity,
    folder,
    subject: row.subject,
    from,
    to: addresses(row.to_json),
    cc: addresses(row.cc_json),
    date: iso(row.date),
    flags: flagsOf(row.flags),
    hasAttachment: row.has_attachment === 1,
    preview: row.preview ?? undefined,
    size: row.size,
    messageId: row.message_id ?? undefined,
    keywords: row.keywords ? row.keywords.split(' ') : undefined,
    modseq: row.modseq ?? undefined,
    internalDate: iso(row.internal_date),
    inReplyTo: row.in_reply_to ?? undefined,
    references: row.refs ? row.refs.split(' ') : undefined,
    listId: row.list_id ?? undefined,
    githubReason: row.github_reason ?? undefined,
  };
}
