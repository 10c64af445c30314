/**
 * Reads one message for display, fetching only the parts it shows: the body structure first
 * (RFC 3501 7.4.2 BODYSTRUCTURE), then the chosen text part and the inline images it references,
 * each with its MIME header (BODY[n.MIME]) so charset and transfer encoding are decoded right.
 * Attachments are listed from the structure and downloaded only on request. A message whose
 * structure cannot be used is read whole and parsed leniently.
 */
import type { FetchMessageObject, ImapFlow, MessageEnvelopeObject, MessageStructureObject } from 'imapflow';
import { MailError } from './errors';
import { decodePart, extractAttachment, parseMessageForDisplay } from './mime';
import type { Address, AttachmentInfo, MessageContent } from './types';

export interface ReadMessage {
  content: MessageContent;
  /** contentId → data: URL, for `cid:` images in the HTML body (RFC 2392). */
  inlineImages: Record<string, string>;
}

interface Leaf {
  part: string;
  node: MessageStructureObject;
}

export interface PartPlan {
  body: Leaf[];
  inline: Leaf[];
  attachments: Leaf[];
}

/** Inline images above this size are not fetched with the body. */
const MAX_INLINE_IMAGE = 2 * 1024 * 1024;
/** A message read whole (fallback) may not exceed this. */
const MAX_WHOLE_MESSAGE = 25 * 1024 * 1024;

export async function readMessage(client: ImapFlow, folder: string, uid: number): Promise<ReadMessage> {
  const head = await client.fetchOne(String(uid), { uid: true, envelope: true, bodyStructure: true, size: true }, { uid: true });
  if (!head) {
    throw new MailError({ code: 'protocol', message: 'This message is no longer on the server: another client moved or deleted it.' });
  }
  const plan = head.bodyStructure ? planParts(head.bodyStructure) : undefined;
  if (plan && plan.body.length) {
    try {
      return await readPlanned(client, folder, uid, head.envelope ?? {}, plan);
    } catch (err) {
      // Malformed part headers or encodings: fall through to the lenient whole-message parse.
      if (err instanceof MailError) {
        throw err;
      }
    }
  }
  if ((head.size ?? 0) > MAX_WHOLE_MESSAGE) {
    throw new MailError({ code: 'protocol', message: 'This message is too large to show, and its structure could not be read.' });
  }
  const whole = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
  if (!whole || !whole.source) {
    throw new MailError({ code: 'protocol', message: 'This message is no longer on the server: another client moved or deleted it.' });
  }
  return parseMessageForDisplay(whole.source, { uid, folder });
}

async function readPlanned(
  client: ImapFlow,
  folder: string,
  uid: number,
  envelope: MessageEnvelopeObject,
  plan: PartPlan,
): Promise<ReadMessage> {
  const inline = plan.inline.filter((leaf) => (leaf.node.size ?? 0) <= MAX_INLINE_IMAGE);
  const wanted = [...plan.body, ...inline];
  const fetched = await client.fetchOne(String(uid), { uid: true, bodyParts: wanted.flatMap((leaf) => [mimeSection(leaf.part), leaf.part]) }, { uid: true });
  if (!fetched) {
    throw new MailError({ code: 'protocol', message: 'This message is no longer on the server: another client moved or deleted it.' });
  }
  const section = (key: string) => sectionOf(fetched, key);

  const texts: string[] = [];
  const htmls: string[] = [];
  for (const leaf of plan.body) {
    const decoded = await decodePart(section(mimeSection(leaf.part)), section(leaf.part));
    if (decoded.html !== undefined) {
      htmls.push(decoded.html);
    } else if (decoded.text !== undefined) {
      texts.push(decoded.text);
    }
  }
  const inlineImages: Record<string, string> = {};
  for (const leaf of inline) {
    const decoded = await decodePart(section(mimeSection(leaf.part)), section(leaf.part));
    const id = stripAngles(leaf.node.id);
    if (id && decoded.content.length) {
      inlineImages[id] = `data:${leaf.node.type};base64,${Buffer.from(decoded.content).toString('base64')}`;
    }
  }
  const content: MessageContent = {
    uid,
    folder,
    subject: envelope.subject?.trim() || '(no subject)',
    from: addresses(envelope.from),
    to: addresses(envelope.to),
    cc: addresses(envelope.cc),
    replyTo: addresses(envelope.replyTo),
    date: envelope.date ? new Date(envelope.date).toISOString() : undefined,
    html: htmls.length ? htmls.join('<hr>') : undefined,
    text: htmls.length ? undefined : texts.join('\n\n'),
    attachments: plan.attachments.map((leaf, index) => attachmentInfo(leaf, index)),
  };
  return { content, inlineImages };
}

/** Downloads attachment `index` as listed by `readMessage`, decoded. */
export async function readAttachment(client: ImapFlow, uid: number, index: number): Promise<{ filename: string; content: Uint8Array }> {
  const head = await client.fetchOne(String(uid), { uid: true, bodyStructure: true }, { uid: true });
  if (!head) {
    throw new MailError({ code: 'protocol', message: 'This message is no longer on the server: another client moved or deleted it.' });
  }
  const leaf = head.bodyStructure ? planParts(head.bodyStructure).attachments[index] : undefined;
  if (!leaf) {
    const whole = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
    const found = whole && whole.source ? await extractAttachment(whole.source, index) : undefined;
    if (!found) {
      throw new MailError({ code: 'protocol', message: 'That attachment is not in the message any more.' });
    }
    return { filename: found.filename, content: found.content };
  }
  const fetched = await client.fetchOne(String(uid), { uid: true, bodyParts: [mimeSection(leaf.part), leaf.part] }, { uid: true });
  if (!fetched) {
    throw new MailError({ code: 'protocol', message: 'That attachment could not be downloaded.' });
  }
  const get = (key: string) => sectionOf(fetched, key);
  const decoded = await decodePart(get(mimeSection(leaf.part)), get(leaf.part));
  return { filename: attachmentInfo(leaf, index).filename, content: decoded.content };
}

/** Chooses what to show: the richest alternative (RFC 2046 5.1.4), inline images, and the rest as attachments. */
export function planParts(root: MessageStructureObject): PartPlan {
  const plan: PartPlan = { body: [], inline: [], attachments: [] };
  visit(root, root.childNodes?.length ? '' : '1', plan);
  return plan;
}

function visit(node: MessageStructureObject, fallbackPart: string, plan: PartPlan): void {
  const type = node.type.toLowerCase();
  if (node.childNodes?.length) {
    if (type === 'multipart/alternative') {
      const best = chooseAlternative(node.childNodes);
      if (best) {
        visit(best, best.part ?? fallbackPart, plan);
      }
      return;
    }
    for (const child of node.childNodes) {
      visit(child, child.part ?? fallbackPart, plan);
    }
    return;
  }
  const leaf: Leaf = { part: node.part ?? fallbackPart, node };
  const disposition = node.disposition?.toLowerCase();
  const named = Boolean(node.dispositionParameters?.filename || node.parameters?.name);
  if (disposition === 'attachment' || type === 'message/rfc822') {
    plan.attachments.push(leaf);
  } else if ((type === 'text/html' || type === 'text/plain') && !(named && disposition !== 'inline')) {
    plan.body.push(leaf);
  } else if (type.startsWith('image/') && node.id) {
    plan.inline.push(leaf);
    if (named) {
      plan.attachments.push(leaf);
    }
  } else {
    plan.attachments.push(leaf);
  }
}

function chooseAlternative(children: MessageStructureObject[]): MessageStructureObject | undefined {
  const hasHtml = (n: MessageStructureObject): boolean => n.type.toLowerCase() === 'text/html' || Boolean(n.childNodes?.some(hasHtml));
  return children.find(hasHtml) ?? children.find((n) => n.type.toLowerCase() === 'text/plain') ?? children[children.length - 1];
}

/** imapflow files BODY[HEADER] under `headers` and other sections under `bodyParts`, keyed in lower case. */
function sectionOf(fetched: FetchMessageObject, key: string): Buffer {
  if (key === 'HEADER') {
    return fetched.headers ?? Buffer.alloc(0);
  }
  return fetched.bodyParts?.get(key.toLowerCase()) ?? fetched.bodyParts?.get(key) ?? Buffer.alloc(0);
}

/** The MIME header of a part; for a single-part message that is the message header (RFC 3501 6.4.5). */
function mimeSection(part: string): string {
  return part === '1' ? 'HEADER' : `${part}.MIME`;
}

function attachmentInfo(leaf: Leaf, index: number): AttachmentInfo {
  const node = leaf.node;
  const filename =
    node.dispositionParameters?.filename ||
    node.parameters?.name ||
    (node.type.toLowerCase() === 'message/rfc822' ? `message-${index + 1}.eml` : `attachment-${index + 1}`);
  return { index, filename, mimeType: node.type.toLowerCase(), size: node.size ?? 0, contentId: stripAngles(node.id) };
}

function stripAngles(id: string | undefined): string | undefined {
  return id ? id.replace(/^<|>$/g, '') : undefined;
}

function addresses(list: { name?: string; address?: string }[] | undefined): Address[] {
  return (list ?? []).map((a) => ({ name: a.name || undefined, address: a.address || undefined }));
}
