/** Messages built the way no mail program builds them, for the tests of hostile input. */

export const INNERMOST = 'innermost words';

/** `depth` multiparts inside one another, a text part at the bottom. */
export function nestedMultipart(depth: number, subject = `nested multipart ${depth}`): string {
  let body = `Content-Type: text/plain; charset=utf-8\r\n\r\n${INNERMOST}\r\n`;
  for (let i = depth; i >= 1; i--) {
    body = `Content-Type: multipart/mixed; boundary="level-${i}"\r\n\r\n--level-${i}\r\n${body}\r\n--level-${i}--\r\n`;
  }
  return `From: sender@example.com\r\nTo: alice@example.com\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\n${body}`;
}

/** `depth` forwarded messages (message/rfc822, RFC 2046 5.2.1) inside one another, a text at the bottom. */
export function nestedForwards(depth: number, subject = `nested forwards ${depth}`): string {
  let message = `Subject: the first one\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${INNERMOST}\r\n`;
  for (let i = depth; i >= 2; i--) {
    message = `Subject: forward ${i}\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n${message}`;
  }
  return `From: sender@example.com\r\nTo: alice@example.com\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n${message}`;
}

/** About `bytes` of HTML lines whose tags are broken by NUL bytes (`<br\0>`), as corrupted mail has them. */
export function nulHtml(bytes: number): string {
  const line = 'Line\0 of\0 text<br\0>\0\0';
  return line.repeat(Math.ceil(bytes / line.length));
}

export const NUL_HTML_LINE_COUNT = (bytes: number) => Math.ceil(bytes / 'Line\0 of\0 text<br\0>\0\0'.length);
