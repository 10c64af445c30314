/**
 * The attachments of a parsed message: what the reader lists of each (name, type, size), the
 * images its HTML references by `cid:` (RFC 2392) as data: URLs, and a file name for parts that
 * name none.
 */
import type PostalMime from 'postal-mime';
import type { AttachmentInfo } from '../model/types';

type ParsedAttachment = PostalMime.Attachment;

/** Inline images larger than this stay attachments only: a data: URL that big slows the view down. */
const MAX_INLINE_IMAGE_BYTES = 5 * 1024 * 1024;

const utf8Encoder = new TextEncoder();

export function describeAttachment(attachment: ParsedAttachment, index: number): AttachmentInfo {
  const info: AttachmentInfo = {
    index,
    filename: attachment.filename || fallbackFilename(index, attachment.mimeType),
    mimeType: attachment.mimeType,
    size: attachmentBytes(attachment).byteLength,
  };
  const contentId = stripAngles(attachment.contentId);
  if (contentId) {
    info.contentId = contentId;
  }
  return info;
}

export function collectInlineImages(attachments: ParsedAttachment[]): Record<string, string> {
  const images: Record<string, string> = {};
  for (const attachment of attachments) {
    const contentId = stripAngles(attachment.contentId);
    if (!contentId || !/^image\/[a-z0-9.+-]+$/.test(attachment.mimeType)) {
      continue;
    }
    const bytes = attachmentBytes(attachment);
    if (bytes.byteLength > 0 && bytes.byteLength <= MAX_INLINE_IMAGE_BYTES) {
      images[contentId] = `data:${attachment.mimeType};base64,${Buffer.from(bytes).toString('base64')}`;
    }
  }
  return images;
}

export function attachmentBytes(attachment: ParsedAttachment): Uint8Array {
  const content = attachment.content;
  if (typeof content === 'string') {
    return attachment.encoding === 'base64' ? Buffer.from(content, 'base64') : utf8Encoder.encode(content);
  }
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}

function stripAngles(contentId: string | undefined): string | undefined {
  const trimmed = contentId?.trim().replace(/^<(.*)>$/, '$1').trim();
  return trimmed || undefined;
}

const EXTENSIONS: Record<string, string> = {
  'application/pdf': 'pdf',
  'application/zip': 'zip',
  'application/gzip': 'gz',
  'application/json': 'json',
  'application/xml': 'xml',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/pgp-signature': 'asc',
  'application/pkcs7-signature': 'p7s',
  'application/octet-stream': 'bin',
  'message/rfc822': 'eml',
  'message/delivery-status': 'txt',
  'text/plain': 'txt',
  'text/html': 'html',
  'text/csv': 'csv',
  'text/calendar': 'ics',
  'image/jpeg': 'jpg',
  'image/svg+xml': 'svg',
};

/** `attachment-N.ext` for parts that name no file; N counts from 1 as people do. */
export function fallbackFilename(index: number, mimeType: string): string {
  const type = mimeType.toLowerCase();
  const subtype = /^(?:image|audio|video)\/([a-z0-9]+)$/.exec(type)?.[1];
  return `attachment-${index + 1}.${EXTENSIONS[type] ?? subtype ?? 'bin'}`;
}
