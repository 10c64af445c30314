/**
 * Message previews (RFC 8970 PREVIEW), where the server offers them. imapflow has no FETCH item for
 * it, so the command goes through its `exec` (by `execCommand`) with a handler for the untagged FETCH answers.
 */
import type { ImapFlow } from 'imapflow';
import { execCommand } from './imapflowInternals';
import { storableText } from '../model/storableText';

interface Token {
  type?: string;
  value?: unknown;
}

const MAX_PREVIEW = 200;

export async function fetchPreviews(client: ImapFlow, uids: readonly number[]): Promise<Map<number, string>> {
  const previews = new Map<number, string>();
  if (!uids.length || !client.capabilities.has('PREVIEW')) {
    return previews;
  }
  try {
    const response = await execCommand(
      client,
      'UID FETCH',
      [{ type: 'SEQUENCE', value: uids.join(',') }, [{ type: 'ATOM', value: 'PREVIEW' }]],
      {
        untagged: {
          FETCH: async (untagged) => {
            const list = untagged.attributes?.[1];
            if (!Array.isArray(list)) {
              return;
            }
            let uid: number | undefined;
            let preview: string | undefined;
            for (let i = 0; i + 1 < list.length; i += 2) {
              const key = String((list[i] as Token).value ?? '').toUpperCase();
              const value = list[i + 1] as Token;
              if (key === 'UID') {
                uid = Number(value.value);
              } else if (key === 'PREVIEW') {
                preview = tokenText(value);
              }
            }
            if (uid && preview) {
              previews.set(uid, firstLine(preview));
            }
          },
        },
      },
    );
    response.next();
  } catch {
    // A preview is a nicety: a server that fails it still shows the message list.
  }
  return previews;
}

function tokenText(token: Token | undefined): string | undefined {
  if (!token || token.value === null || token.value === undefined) {
    return undefined;
  }
  return Buffer.isBuffer(token.value) ? token.value.toString('utf8') : String(token.value);
}

function firstLine(text: string): string {
  const line = storableText(text).replace(/\s+/g, ' ').trim();
  return line.length > MAX_PREVIEW ? `${line.slice(0, MAX_PREVIEW - 1)}…` : line;
}
