/**
 * Old mailers send 8-bit text without saying which charset it is in (RFC 2045 5.2 says such a
 * part is US-ASCII, which 8-bit bytes cannot be). postal-mime then decodes it as UTF-8 and every
 * accented letter becomes U+FFFD. In practice these messages are nearly always Latin-1 or its
 * Windows superset, so this module rewrites the message to say so before it is parsed again.
 *
 * Works on a "binary string" (one char per byte) so that the bytes of the body survive unchanged.
 */

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');
const utf8Encoder = new TextEncoder();

/**
 * Windows-1252 for 0x80-0x9F. Node 20 (and so the VS Code extension host) decodes the
 * `windows-1252` label as ISO-8859-1 and yields C1 control characters there instead.
 */
const WINDOWS_1252_C1 =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F' +
  '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

/**
 * Replaces C1 control characters with what Windows-1252 puts there. Mail that says
 * ISO-8859-1 is in practice Windows-1252 (the WHATWG Encoding standard treats the labels as
 * one), and C1 controls never belong in readable text.
 */
export function repairC1Controls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80]);
}

export function decodeWindows1252(bytes: Uint8Array): string {
  return repairC1Controls(latin1.decode(bytes));
}

export const LEGACY_CHARSET = 'windows-1252';

/** True when the bytes are well-formed UTF-8 (plain ASCII included). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    utf8Strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Decodes bytes for display whatever they hold: UTF-8 when they are valid UTF-8, else Windows-1252. */
export function decodeLenient(bytes: Uint8Array): string {
  return isValidUtf8(bytes) ? new TextDecoder('utf-8').decode(bytes) : decodeWindows1252(bytes);
}

export function bytesToBinary(bytes: Uint8Array): string {
  let out = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) {
    out += String.fromCharCode(...bytes.subarray(i, i + step));
  }
  return out;
}

export function binaryToBytes(binary: string): Uint8Array {
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i) & 0xff;
  }
  return bytes;
}

/** Re-encodes one header line given as a binary string: raw 8-bit bytes that are not UTF-8 are read as Windows-1252. */
function headerLineToUtf8(line: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\x80-\xff]/.test(line)) {
    return line;
  }
  const bytes = binaryToBytes(line);
  if (isValidUtf8(bytes)) {
    return line;
  }
  return bytesToBinary(utf8Encoder.encode(decodeWindows1252(bytes)));
}

/**
 * Rewrites every header block of the message (the top one and each MIME part's) so that text
 * parts without a charset declare Windows-1252, and raw 8-bit header bytes become UTF-8.
 * Parts that name a charset are left alone. Boundaries are discovered as the scan goes, so a
 * broken structure degrades to "only the top header block was rewritten", never to an error.
 */
export function declareLegacyCharset(raw: Uint8Array): Uint8Array {
  const lines = bytesToBinary(raw).split('\n');
  const boundaries = new Set<string>();
  const out: string[] = [];
  let block: string[] | undefined = [];

  const flushBlock = (header: string[]): void => {
    const unfolded = header.join('\n').replace(/\r?\n[ \t]/g, ' ');
    const contentType = /^content-type:(.*)$/im.exec(unfolded)?.[1] ?? '';
    const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
    if (boundary) {
      boundaries.add(boundary[1] ?? boundary[2]);
    }
    for (let i = 0; i < header.length; i++) {
      let line = headerLineToUtf8(header[i]);
      if (/^content-type:\s*text\//i.test(line) && !/charset\s*=/i.test(contentType)) {
        const cr = line.endsWith('\r') ? '\r' : '';
        // A first line that ends in `;` (folded before the next parameter) must not get `;;`.
        line = `${line.slice(0, line.length - cr.length).replace(/[;\s]+$/, '')}; charset=${LEGACY_CHARSET}${cr}`;
      }
      out.push(line);
    }
    if (!contentType) {
      // No Content-Type means text/plain (RFC 2045 5.2): say which text it is.
      out.push(`Content-Type: text/plain; charset=${LEGACY_CHARSET}\r`);
    }
  };

  for (const line of lines) {
    if (block) {
      if (line === '' || line === '\r') {
        flushBlock(block);
        block = undefined;
        out.push(line);
      } else {
        block.push(line);
      }
      continue;
    }
    out.push(line);
    const trimmed = line.replace(/[ \t\r]+$/, '');
    // A delimiter line `--boundary` opens the next part's header block; `--boundary--` does not match.
    if (trimmed.startsWith('--') && boundaries.has(trimmed.slice(2))) {
      block = [];
    }
  }
  if (block) {
    flushBlock(block);
  }
  return binaryToBytes(out.join('\n'));
}
