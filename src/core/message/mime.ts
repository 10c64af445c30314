/**
 * MIME parsing for display (RFC 2045-2049, RFC 2047 encoded words, RFC 2231 parameters), on
 * top of postal-mime. Nothing here throws on bad input: mail is written by every program ever,
 * and a message that cannot be parsed is still shown as its raw text with a warning.
 */
// `decodeWords` is imported by name: the ESM build does not hang it on the default export.
import PostalMime, { decodeWords } from 'postal-mime';
import type { Address, MessageContent } from '../model/types';
import {
  LEGACY_CHARSET,
  bytesToBinary,
  decodeLenient,
  declareLegacyCharset,
  isValidUtf8,
  repairC1Controls,
} from './legacyCharset';
import { flattenMessage } from './deepMessage';
import { attachmentBytes, collectInlineImages, describeAttachment, fallbackFilename } from './attachments';
import { fieldValue, glue, headerParam, splitHeaderFields, withoutFields } from './headerFields';

export { fallbackFilename } from './attachments';

type Email = PostalMime.Email;

export interface MessageMeta {
  uid: number;
  folder: string;
}

/** A parsed message plus the images its HTML references by `cid:` (RFC 2392), as data: URLs. */
export interface DisplayMessage {
  content: MessageContent;
  /** Content-ID without angle brackets → `data:` URL. */
  inlineImages: Record<string, string>;
}

export interface DecodedPart {
  mimeType: string;
  /** The charset the text was decoded with: the declared one, or the one assumed for undeclared 8-bit text. */
  charset?: string;
  text?: string;
  html?: string;
  /** The part's bytes with the transfer encoding (base64, quoted-printable) removed. */
  content: Uint8Array;
  filename?: string;
}

export interface ExtractedAttachment {
  filename: string;
  mimeType: string;
  content: Uint8Array;
}


const utf8Encoder = new TextEncoder();
const REPLACEMENT_CHAR = '\uFFFD';

/**
 * postal-mime refuses a MIME tree deeper than 256 levels, and shows forwarded messages
 * (message/rfc822) inline only 10 deep, because it parses each level again (depth × size).
 * Messages past either are read flat (deepMessage.ts).
 */
const PARSE_LIMITS = { maxNestingDepth: 256, maxRfc822NestingDepth: 10 } as const;
const TOO_DEEP_WARNING =
  'This message is nested too deeply to show as it was built (parts inside parts, or forwarded messages inside one another), so Mailroom shows the text it found inside it.';

export async function parseMessageSource(raw: Uint8Array | string, meta: MessageMeta): Promise<MessageContent> {
  return (await parseMessageForDisplay(raw, meta)).content;
}

/** Parses a full message source (RFC 5322) into what the message view shows. Never rejects. */
export async function parseMessageForDisplay(raw: Uint8Array | string, meta: MessageMeta): Promise<DisplayMessage> {
  const bytes = toBytes(raw);
  try {
    const { email, warning } = await readEmail(bytes);
    const attachments = email.attachments.map((a, index) => describeAttachment(a, index));
    const content: MessageContent = {
      uid: meta.uid,
      folder: meta.folder,
      subject: email.subject ?? '',
      from: flattenAddresses(email.from ? [email.from] : []),
      to: flattenAddresses(email.to),
      cc: flattenAddresses(email.cc),
      replyTo: flattenAddresses(email.replyTo),
      date: email.date,
      html: email.html,
      text: email.text,
      attachments,
    };
    if (warning) {
      content.parseWarning = warning;
    }
    return { content, inlineImages: collectInlineImages(email.attachments) };
  } catch (err) {
    return { content: rawFallback(bytes, meta, err), inlineImages: {} };
  }
}

/** One attachment of a full message source, by its index in `MessageContent.attachments`. */
export async function extractAttachment(raw: Uint8Array | string, index: number): Promise<ExtractedAttachment | undefined> {
  try {
    const { email } = await readEmail(toBytes(raw));
    const attachment = email.attachments[index];
    if (!attachment) {
      return undefined;
    }
    return {
      filename: attachment.filename || fallbackFilename(index, attachment.mimeType),
      mimeType: attachment.mimeType,
      content: attachmentBytes(attachment),
    };
  } catch {
    return undefined;
  }
}

/**
 * Decodes one MIME part fetched on its own: `mimeHeaders` as returned for BODY.PEEK[n.MIME] and
 * `body` for BODY.PEEK[n] (RFC 3501 6.4.5). The two are glued back into a one-part message so
 * that postal-mime undoes the transfer encoding and the charset exactly as in a full parse.
 */
export async function decodePart(mimeHeaders: Uint8Array | string, body: Uint8Array): Promise<DecodedPart> {
  const fields = splitHeaderFields(bytesToBinary(toBytes(mimeHeaders)));
  const contentType = fieldValue(fields, 'content-type') ?? 'text/plain';
  const mimeType = (/^\s*([^;\s]+)/.exec(contentType)?.[1] ?? 'text/plain').toLowerCase();
  const declaredCharset = headerParam(contentType, 'charset');
  try {
    // Parsed once as an opaque attachment to get the bytes, whatever the type says.
    const params = contentType.includes(';') ? contentType.slice(contentType.indexOf(';')) : '';
    const asBlob = withoutFields(fields, ['content-type']);
    asBlob.push(`Content-Type: application/octet-stream${params}`);
    const blob = (await PostalMime.parse(glue(asBlob, body))).attachments[0];
    // 7bit, 8bit and binary (RFC 2045 6.2) encode nothing: the bytes are the content as sent,
    // CRLFs included (a forwarded .eml must come out as it went in; the parser turns them into LF).
    const encoding = (fieldValue(fields, 'content-transfer-encoding') ?? '7bit').toLowerCase();
    const identity = ['7bit', '8bit', 'binary'].includes(encoding);
    const content = identity ? body : blob ? attachmentBytes(blob) : new Uint8Array(0);
    const decoded: DecodedPart = { mimeType, content };
    if (blob?.filename) {
      decoded.filename = blob.filename;
    }
    if (!mimeType.startsWith('text/')) {
      return decoded;
    }

    // RFC 2045 5.2 makes an undeclared charset US-ASCII; 8-bit bytes there are legacy 8-bit text.
    const charset = declaredCharset ?? (isValidUtf8(content) ? undefined : LEGACY_CHARSET);
    if (charset) {
      decoded.charset = charset;
    }
    if (mimeType === 'text/plain' || mimeType === 'text/html') {
      // Parsed again as inline text so postal-mime applies the charset and format=flowed (RFC 3676).
      const asText = withoutFields(fields, ['content-type', 'content-disposition']);
      asText.push(`Content-Type: ${mimeType}${charset && !declaredCharset ? `; charset=${charset}` : ''}${params}`);
      const email = await PostalMime.parse(glue(asText, body));
      if (mimeType === 'text/html') {
        decoded.html = repairC1Controls(email.html ?? '');
      } else {
        decoded.text = repairC1Controls(email.text ?? '');
      }
    } else {
      decoded.text = decodeText(content, charset);
    }
    return decoded;
  } catch {
    const fallback: DecodedPart = { mimeType, content: body };
    if (mimeType.startsWith('text/')) {
      fallback.text = decodeLenient(body);
    }
    return fallback;
  }
}

/**
 * Parses a whole message, and reads one nested too deeply for that flat instead: its leaf parts
 * lifted out, with a warning. Attachments are counted from the same parse for `extractAttachment`.
 */
async function readEmail(bytes: Uint8Array): Promise<{ email: Email; warning?: string }> {
  if (mentions(bytes, ['message/rfc822', 'Message/RFC822', 'MESSAGE/RFC822']) > PARSE_LIMITS.maxRfc822NestingDepth) {
    // Forwards inside forwards cost the parser depth × size before it gives up at 10: look first.
    const flat = flattenMessage(bytes);
    if (flat.depth > PARSE_LIMITS.maxRfc822NestingDepth) {
      return { email: await parseEmail(flat.source()), warning: TOO_DEEP_WARNING };
    }
  }
  let email: Email;
  try {
    email = await parseEmail(bytes);
  } catch (err) {
    const flat = flattenMessage(bytes);
    if (flat.depth <= PARSE_LIMITS.maxNestingDepth) {
      throw err;
    }
    return { email: await parseEmail(flat.source()), warning: TOO_DEEP_WARNING };
  }
  if (email.attachments.some((a) => a.rfc822DepthExceeded)) {
    return { email: await parseEmail(flattenMessage(bytes).source()), warning: TOO_DEEP_WARNING };
  }
  return { email, warning: structureWarning(email, bytes) };
}

/** How often any of `spellings` occurs in the bytes (a native search, no string made). */
function mentions(bytes: Uint8Array, spellings: string[]): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count = 0;
  for (const spelling of spellings) {
    for (let at = buffer.indexOf(spelling); at >= 0; at = buffer.indexOf(spelling, at + spelling.length)) {
      count++;
    }
  }
  return count;
}

async function parseEmail(bytes: Uint8Array): Promise<Email> {
  let email = await PostalMime.parse(bytes, PARSE_LIMITS);
  // U+FFFD in the result but not in the source means undeclared 8-bit text was read as UTF-8.
  if (hasReplacementChars(email) && !bytesToBinary(bytes).includes('\xEF\xBF\xBD')) {
    email = await PostalMime.parse(declareLegacyCharset(bytes), PARSE_LIMITS);
  }
  return repairDecodedText(email);
}

/** Undoes Node's ISO-8859-1 reading of Windows-1252 in every decoded string a person will read. */
function repairDecodedText(email: Email): Email {
  const repairAddress = (a: PostalMime.Address): void => {
    a.name = repairC1Controls(a.name);
    a.group?.forEach(repairAddress);
  };
  [email.from, ...(email.to ?? []), ...(email.cc ?? []), ...(email.replyTo ?? [])].forEach((a) => a && repairAddress(a));
  email.subject = email.subject === undefined ? undefined : repairC1Controls(email.subject);
  email.text = email.text === undefined ? undefined : repairC1Controls(email.text);
  email.html = email.html === undefined ? undefined : repairC1Controls(email.html);
  for (const attachment of email.attachments) {
    attachment.filename = attachment.filename === null ? null : repairC1Controls(attachment.filename);
  }
  return email;
}

function hasReplacementChars(email: Email): boolean {
  const names = [email.from, ...(email.to ?? []), ...(email.cc ?? [])].map((a) => a?.name ?? '');
  return [email.subject, email.text, email.html, ...names].some((s) => s?.includes(REPLACEMENT_CHAR));
}

function toBytes(raw: Uint8Array | string): Uint8Array {
  return typeof raw === 'string' ? utf8Encoder.encode(raw) : raw;
}

function flattenAddresses(list: PostalMime.Address[] | undefined): Address[] {
  const out: Address[] = [];
  for (const entry of list ?? []) {
    // RFC 5322 3.4 groups (`Team: a@x, b@y;`) are shown as their members.
    for (const mailbox of entry.group ?? [entry]) {
      const address: Address = {};
      if (mailbox.name) {
        address.name = mailbox.name;
      }
      if (mailbox.address) {
        address.address = mailbox.address;
      }
      if (address.name || address.address) {
        out.push(address);
      }
    }
  }
  return out;
}

/** A multipart message whose closing delimiter (RFC 2046 5.1.1) never comes was cut short. */
function structureWarning(email: Email, bytes: Uint8Array): string | undefined {
  const contentType = email.headers.find((h) => h.key === 'content-type')?.value ?? '';
  if (!/^\s*multipart\//i.test(contentType)) {
    return undefined;
  }
  const boundary = headerParam(contentType, 'boundary');
  if (!boundary) {
    return 'This message says it has several parts but does not say where they begin, so some of it may be missing.';
  }
  if (!bytesToBinary(bytes).includes(`--${boundary}--`)) {
    return 'This message ends before its last part is closed, so some of its content may be missing or shown as plain text.';
  }
  return undefined;
}

function rawFallback(bytes: Uint8Array, meta: MessageMeta, err: unknown): MessageContent {
  const reason = err instanceof Error && err.message ? ` (${err.message})` : '';
  let text = '';
  let subject = '';
  try {
    text = decodeLenient(bytes);
    subject = rawSubject(text);
  } catch {
    text = bytesToBinary(bytes);
  }
  return {
    uid: meta.uid,
    folder: meta.folder,
    subject,
    from: [],
    to: [],
    cc: [],
    replyTo: [],
    text,
    attachments: [],
    parseWarning: `Mailroom could not read the structure of this message${reason}, so it is shown as raw source.`,
  };
}

function rawSubject(source: string): string {
  const headerEnd = source.search(/\r?\n\r?\n/);
  const header = headerEnd < 0 ? source : source.slice(0, headerEnd);
  const match = /^subject:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(header);
  if (!match) {
    return '';
  }
  const value = match[1].replace(/\r?\n[ \t]/g, ' ').trim();
  try {
    return decodeWords(value);
  } catch {
    return value;
  }
}

function decodeText(bytes: Uint8Array, charset: string | undefined): string {
  if (!charset) {
    return decodeLenient(bytes);
  }
  try {
    return repairC1Controls(new TextDecoder(charset).decode(bytes));
  } catch {
    return decodeLenient(bytes);
  }
}
