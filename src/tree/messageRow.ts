/**
 * What a message row says, as plain data: label, description, icon, decoration. No `vscode`
 * import, so plain mocha tests check every rule here (test/unit/messageRow.test.ts).
 *
 * A side bar at its default width (300 px) shows about 30 characters of a message row, label and
 * description on one line. A subject is what runs long, so it goes last, after who and when, as in
 * a mail client's one-line list (Gmail, Outlook): the label is the sender (capped, so a long name
 * cannot push the date out), the description the date, then the subject, cut where the row ends;
 * the whole subject is in the tooltip. The label takes the unread colour, like the bold sender of
 * an unread row elsewhere. Notification mail puts the same `[owner/repo]` in front of every
 * subject; the tag moves to the end, still there once per row but no longer hiding the subject.
 */
import type { Address, MessageSummary, SpecialUse } from '../core';

/** The parts of a summary a row is drawn from. */
export type RowSummary = Pick<MessageSummary, 'subject' | 'from' | 'to' | 'date' | 'flags' | 'hasAttachment'>;

export interface RowText {
  /** Who: the sender, or the recipient in Sent and Drafts; at most `NAME_MAX` characters. */
  label: string;
  /** When, then what: `14:05 · Run failed: CI - main (abc1234) · dana-demo/mailroom`. */
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

/**
 * The longest name a row shows whole ("Extension Weekly", "GitHub Actions"). With the date after it
 * (up to `11/12/24`), this fits the 300 px default side bar at the depth of a folder's messages and
 * leaves the subject a few words; longer names end in `…`.
 */
export const NAME_MAX = 16;

/** `name` cut to `max` characters, the last of them `…` (whole code points: no half emoji). */
export function capName(name: string, max = NAME_MAX): string {
  const chars = [...name];
  return chars.length <= max ? name : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

export function displayName(a: Address | undefined): string {
  return a?.name || a?.address || '(unknown sender)';
}

/** `To: Maria Santos`, `To: Maria Santos +2`: the first recipient (cut to `max`) and how many more. */
export function recipients(to: readonly Address[], max = Infinity): string {
  if (!to.length) return 'To: (no recipient)';
  const first = capName(to[0].name || to[0].address || '(unknown)', max);
  return to.length > 1 ? `To: ${first} +${to.length - 1}` : `To: ${first}`;
}

/**
 * As short as mail lists write it, in the user's locale: `9:07` (`9:07 AM`) today, `12 Nov`
 * (`Nov 12`) this year, `12/11/24` (`11/12/24`) before. Every character here is one the subject
 * loses in a narrow side bar; the tooltip has the whole date.
 */
export function shortDate(iso: string | undefined, now: Date, locale: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  if (date.toDateString() === now.toDateString()) {
    return date.toLocaleTimeString(locale, { hour: 'numeric', minute: '2-digit' });
  }
  if (date.getFullYear() === now.getFullYear()) {
    return date.toLocaleDateString(locale, { day: 'numeric', month: 'short' });
  }
  return date.toLocaleDateString(locale, { day: 'numeric', month: 'numeric', year: '2-digit' });
}

/**
 * Label and description of a row. In Sent and Drafts every sender is the account itself, so the
 * recipient takes the sender's place there.
 */
export function rowText(m: RowSummary, role: SpecialUse | undefined, now: Date, locale: string): RowText {
  const { subject, tag } = splitSubjectTag(m.subject.trim());
  const outgoing = role === 'sent' || role === 'drafts';
  const who = outgoing ? recipients(m.to) : displayName(m.from);
  // "To: " and the "+2" stay whole: only the name itself is cut.
  const label = outgoing ? recipients(m.to, NAME_MAX - 4) : capName(who);
  const date = shortDate(m.date, now, locale);
  // A tag that only repeats the sender ("[GitHub]" from GitHub) says nothing more.
  const showTag = tag && tag.toLowerCase() !== who.toLowerCase() ? tag : undefined;
  const description = [date, subject || '(no subject)', showTag].filter(Boolean).join(' · ');
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
