/**
 * What a message row says, as plain data: label, description, icon, decoration. No `vscode`
 * import, so plain mocha tests check every rule here (test/unit/messageRow.test.ts).
 *
 * A side bar at its default width shows about 30 characters of a message row. Notification mail
 * puts the same `[owner/repo]` in front of every subject, which then fills those 30 characters on
 * every row; so the tag moves behind the sender and date, where it is still read once per row but
 * no longer hides what tells the rows apart.
 */
import type { Address, MessageSummary, SpecialUse } from '../core';

/** The parts of a summary a row is drawn from. */
export type RowSummary = Pick<MessageSummary, 'subject' | 'from' | 'to' | 'date' | 'flags' | 'hasAttachment'>;

export interface RowText {
  label: string;
  description: string;
  /** Read by screen readers: the whole subject, tag included, and the state the colours show. */
  accessibility: string;
}

/**
 * Reply and forward prefixes a tag may follow: GitHub writes `Re: [owner/repo] …`, and clients in
 * other languages write AW, SV, Antw (Outlook adds a count: `RE[2]:`).
 */
const TAGGED = /^((?:(?:re|fwd?|aw|sv|antw|wg|tr)\s*(?:\[\d+\])?\s*:\s*)*)\[([^[\]\s]{1,60})\]\s+(?=\S)/i;

/**
 * Splits a leading list or repository tag (`[owner/repo]`, `[mailroom-dev]`) from the subject.
 * Tags with spaces (`[PATCH v2 3/7]`) differ from message to message and stay in the subject.
 */
export function splitSubjectTag(subject: string): { subject: string; tag?: string } {
  const match = TAGGED.exec(subject);
  if (!match) return { subject };
  return { subject: match[1] + subject.slice(match[0].length), tag: match[2] };
}

export function displayName(a: Address | undefined): string {
  return a?.name || a?.address || '(unknown sender)';
}

/** `To: Maria Santos`, `To: Maria Santos +2`: the first recipient and how many more. */
export function recipients(to: readonly Address[]): string {
  if (!to.length) return 'To: (no recipient)';
  const first = to[0].name || to[0].address || '(unknown)';
  return to.length > 1 ? `To: ${first} +${to.length - 1}` : `To: ${first}`;
}

/** 14:05 today, 12 Nov this year, 12 Nov 2024 before. */
export function shortDate(iso: string | undefined, now: Date, locale: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  if (date.toDateString() === now.toDateString()) {
    return date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  }
  if (date.getFullYear() === now.getFullYear()) {
    return date.toLocaleDateString(locale, { day: 'numeric', month: 'short' });
  }
  return date.toLocaleDateString(locale, { day: 'numeric', month: 'short', year: 'numeric' });
}

/**
 * Label and description of a row. In Sent and Drafts every sender is the account itself, so the
 * recipient takes the sender's place there.
 */
export function rowText(m: RowSummary, role: SpecialUse | undefined, now: Date, locale: string): RowText {
  const { subject, tag } = splitSubjectTag(m.subject.trim());
  const label = subject || '(no subject)';
  const outgoing = role === 'sent' || role === 'drafts';
  const who = outgoing ? recipients(m.to) : displayName(m.from);
  const date = shortDate(m.date, now, locale);
  // A tag that only repeats the sender ("[GitHub]" from GitHub) says nothing more.
  const showTag = tag && tag.toLowerCase() !== who.toLowerCase() ? tag : undefined;
  const description = [who, date, showTag].filter(Boolean).join(' · ');
  const states = [!m.flags.seen && 'Unread', m.flags.flagged && 'Flagged'].filter(Boolean).join(', ');
  const accessibility = `${states ? `${states}, ` : ''}${m.subject.trim() || '(no subject)'}, ${outgoing ? who.replace(/^To:/, 'to') : `from ${who}`}${date ? `, ${date}` : ''}`;
  return { label, description, accessibility };
}

/** A codicon and, where it carries meaning, a theme colour. */
export interface RowIcon {
  id: string;
  color?: string;
}

/**
 * One icon for the most telling state: flagged, unread, answered, with attachment, read. Unread
 * is also shown by the row's decoration (`unreadDecoration`), so a flagged unread row, whose icon
 * is the star, still reads as unread. The menus' action icons are other codicons
 * (`ROW_STATE_ICONS` is checked against package.json), so a state is never mistaken for a button.
 */
export function stateIcon(m: Pick<RowSummary, 'flags' | 'hasAttachment'>): RowIcon {
  if (m.flags.flagged) return { id: 'star-full', color: 'charts.orange' };
  if (!m.flags.seen) return { id: 'mail', color: 'charts.blue' };
  if (m.flags.answered) return { id: 'reply' };
  if (m.hasAttachment) return { id: 'attach' };
  return { id: 'mail-read' };
}

/** Every icon a message row can show for its state. */
export const ROW_STATE_ICONS: readonly string[] = ['star-full', 'mail', 'reply', 'attach', 'mail-read'];

/** The row's `resourceUri` carries its unread state in the query, so the decoration needs no lookup. */
export const UNREAD_QUERY = 'unread';

/** The colour of unread rows' labels and badges; contributed in package.json, themeable. */
export const UNREAD_COLOR = 'mailroom.unreadForeground';

export interface RowDecoration {
  badge: string;
  tooltip: string;
  color: string;
}

/** The decoration of a message row whose `resourceUri` has this query: unread rows only. */
export function unreadDecoration(query: string): RowDecoration | undefined {
  return query === UNREAD_QUERY ? { badge: '●', tooltip: 'Unread', color: UNREAD_COLOR } : undefined;
}
