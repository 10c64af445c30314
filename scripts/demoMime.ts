/**
 * Builds RFC 5322 messages for the demo mailbox: headers with RFC 2047 encoded words where names
 * are not ASCII, text with an optional HTML alternative (RFC 2046 multipart/alternative), and
 * attachments (multipart/mixed). Just enough MIME to look like mail from real senders.
 */

export interface Attachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface MessageParts {
  from: string;
  to: string;
  cc?: string;
  subject: string;
  date: Date;
  messageId?: string;
  inReplyTo?: string;
  references?: string;
  /** Extra headers such as List-Id or X-GitHub-Reason. */
  headers?: Record<string, string>;
  text: string;
  html?: string;
  attachments?: Attachment[];
}

let counter = 0;

export function buildMessage(m: MessageParts): string {
  counter++;
  const headers: [string, string | undefined][] = [
    ['From', encodeAddressList(m.from)],
    ['To', encodeAddressList(m.to)],
    ['Cc', m.cc && encodeAddressList(m.cc)],
    ['Subject', encodeWords(m.subject)],
    // RFC 5322 3.3 wants a numeric zone; toUTCString() ends in "GMT".
    ['Date', m.date.toUTCString().replace('GMT', '+0000')],
    ['Message-ID', m.messageId ?? `<demo-${counter}.${m.date.getTime()}@example.com>`],
    ['In-Reply-To', m.inReplyTo],
    ['References', m.references],
    ...Object.entries(m.headers ?? {}),
    ['MIME-Version', '1.0'],
  ];
  let body = m.html
    ? multipart('alternative', [textPart('plain', m.text), textPart('html', m.html)])
    : textPart('plain', m.text);
  if (m.attachments?.length) body = multipart('mixed', [body, ...m.attachments.map(attachmentPart)]);
  const head = headers.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${v}`).join('\r\n');
  return `${head}\r\n${body}`;
}

/** A MIME entity: its own headers, a blank line, then content. */
function textPart(subtype: 'plain' | 'html', content: string): string {
  const crlf = content.replace(/\r?\n/g, '\r\n');
  // ASCII goes as is; anything else as base64, which no mail path can mangle.
  return /^[\x00-\x7f]*$/.test(crlf)
    ? `Content-Type: text/${subtype}; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${crlf}\r\n`
    : `Content-Type: text/${subtype}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(Buffer.from(crlf))}`;
}

function attachmentPart(a: Attachment): string {
  return [
    `Content-Type: ${a.contentType}; name="${a.filename}"`,
    `Content-Disposition: attachment; filename="${a.filename}"`,
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(a.content),
  ].join('\r\n');
}

function multipart(subtype: 'alternative' | 'mixed', parts: string[]): string {
  const boundary = `=_demo_${subtype}_${counter}`;
  return `Content-Type: multipart/${subtype}; boundary="${boundary}"\r\n\r\n` +
    parts.map((p) => `--${boundary}\r\n${p}`).join('\r\n') + `\r\n--${boundary}--\r\n`;
}

/** RFC 2045 6.8: base64 in lines of at most 76 characters. */
function base64Lines(content: Buffer): string {
  return `${content.toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n`;
}

/** RFC 2047 encoded word for non-ASCII header text. */
function encodeWords(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text).toString('base64')}?=`;
}

/** "Name <addr>, Name <addr>" with display names encoded or quoted as RFC 5322 3.4 requires. */
function encodeAddressList(list: string): string {
  return list
    .split(/,\s*(?=[^,]*<)/)
    .map((address) => {
      const match = /^\s*(.+?)\s*<([^>]+)>\s*$/.exec(address);
      if (!match) return address.trim();
      const [, name, email] = match;
      if (!/^[\x20-\x7e]*$/.test(name)) return `${encodeWords(name)} <${email}>`;
      return /[()<>[\]:;@\\,."]/.test(name) ? `"${name.replace(/["\\]/g, '\\$&')}" <${email}>` : `${name} <${email}>`;
    })
    .join(', ');
}
