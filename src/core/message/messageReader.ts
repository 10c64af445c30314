/**
 * Reads one message for display, fetching only the parts it shows: the body structure first
 * (RFC 3501 7.4.2 BODYSTRUCTURE), then the chosen text part and the inline images it references,
 * each with its MIME header (BODY[n.MIME]) so charset and transfer encoding are decoded right.
 * Attachments are listed from the structure and downloaded only on request. A message whose
 * structure cannot be used is read whole and parsed leniently.
 */
import type { FetchMessageObject, ImapFlow, MessageEnvelopeObject, MessageStructureObject } from 'imapflow';
import { MailError } from '../imap/errors';
import { decodePart, extractAttachment, parseMessageForDisplay } from './mime';
import type { Address, AttachmentInfo, MessageContent } from '../model/types';

export interface ReadMessage {
  content: MessageContent;
  /** contentId → data: URL, for `cid:` images in the HTML body (RFC 2392). */
  inlineImages: Record<string, string>;
}

/**
 * One part to fetch, with the two sections that hold it (RFC 3501 6.4.5). Inside a multipart the
 * part's own header is `n.MIME` and its body `n`. The body of a message that is not multipart (the
 * top-level message, or one encapsulated in a message/rfc822 part `n`) has no MIME header of its
 * own: its Content-Type sits in the message header, so the sections are `HEADER`/`TEXT` or
 * `n.HEADER`/`n.TEXT`. Asking for `1.MIME` there would get the wrong header.
 */
export interface Leaf {
  /** Part number as RFC 3501 counts it: `1` for the body of a single-part message. */
  part: string;
  /** Section holding the header that describes this part (Content-Type, transfer encoding). */
  header: string;
  /** Section holding the part's content, still transfer-encoded. */
  body: string;
  node: MessageStructureObject;
}

export interface PartPlan {
  body: Leaf[];
  inline: Leaf[];
  attachments: Leaf[];
  /** The structure nests deeper than MAX_STRUCTURE_DEPTH: the plan is partial, read the message whole. */
  tooDeep?: boolean;
}

/** Inline images above this size are not fetched with the body. */
const MAX_INLINE_IMAGE = 2 * 1024 * 1024;
/** A message read whole (fallback) may not exceed this. */
const MAX_WHOLE_MESSAGE = 25 * 1024 * 1024;
/**
 * Multiparts and enclosed messages inside one another that the plan follows. Mail programs nest a
 * handful; a deeper structure is hostile or broken, and the whole-message parse reads it flat.
 */
const MAX_STRUCTURE_DEPTH = 32;

export async function readMessage(client: ImapFlow, folder: string, uid: number): Promise<ReadMessage> {
  const head = await client.fetchOne(String(uid), { uid: true, envelope: true, bodyStructure: true, size: true }, { uid: true });
  if (!head) {
    throw new MailError({ code: 'protocol', message: 'This message is no longer on the server: another client moved or deleted it.' });
  }
  const plan = head.bodyStructure ? planParts(head.bodyStructure) : undefined;
  if (plan && plan.body.length && !plan.tooDeep) {
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
  const parsed = await parseMessageForDisplay(whole.source, { uid, folder });
  if (plan && !plan.tooDeep) {
    // `readAttachment` finds attachment N through the structure, so the list must come from it too.
    parsed.content.attachments = plan.attachments.map((leaf, index) => attachmentInfo(leaf, index));
  }
  return parsed;
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
  const fetched = await client.fetchOne(String(uid), { uid: true, bodyParts: wanted.flatMap(sectionsOf) }, { uid: true });
  if (!fetched) {
    throw new MailError({ code: 'protocol', message: 'This message is no longer on the server: another client moved or deleted it.' });
  }

  const bodies: { text?: string; html?: string }[] = [];
  for (const leaf of plan.body) {
    const decoded = await decodePart(sectionOf(fetched, leaf.header), sectionOf(fetched, leaf.body));
    bodies.push({ text: decoded.text, html: decoded.html });
  }
  const inlineImages: Record<string, string> = {};
  for (const leaf of inline) {
    const decoded = await decodePart(sectionOf(fetched, leaf.header), sectionOf(fetched, leaf.body));
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
    ...joinBodies(bodies),
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
  const plan = head.bodyStructure ? planParts(head.bodyStructure) : undefined;
  const leaf = plan && !plan.tooDeep ? plan.attachments[index] : undefined;
  if (!leaf) {
    const whole = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
    const found = whole && whole.source ? await extractAttachment(whole.source, index) : undefined;
    if (!found) {
      throw new MailError({ code: 'protocol', message: 'That attachment is not in the message any more.' });
    }
    return { filename: found.filename, content: found.content };
  }
  const fetched = await client.fetchOne(String(uid), { uid: true, bodyParts: sectionsOf(leaf) }, { uid: true });
  if (!fetched || !hasSection(fetched, leaf.header) || !hasSection(fetched, leaf.body)) {
    throw new MailError({ code: 'protocol', message: 'That attachment could not be downloaded: the server did not send it. Try again.' });
  }
  const decoded = await decodePart(sectionOf(fetched, leaf.header), sectionOf(fetched, leaf.body));
  return { filename: attachmentInfo(leaf, index).filename, content: decoded.content };
}

/**
 * Chooses what to show: the richest alternative (RFC 2046 5.1.4), inline images, and the rest as
 * attachments. Part numbers are counted here from the structure rather than taken from imapflow,
 * which gives the body of an encapsulated single-part message its wrapper's number.
 */
export function planParts(root: MessageStructureObject): PartPlan {
  const plan: PartPlan = { body: [], inline: [], attachments: [] };
  visitMessage(root, '', { plan, report: false, depth: 0 });
  return plan;
}

interface Walk {
  plan: PartPlan;
  /** Inside a multipart/report (RFC 6522), where an enclosed message is evidence, not content. */
  report: boolean;
  /** Multiparts and enclosed messages above this point; the walk stops past MAX_STRUCTURE_DEPTH. */
  depth: number;
}

/** The body structure of a whole message: the top-level one (`prefix` empty) or one in message/rfc822 part `prefix`. */
function visitMessage(node: MessageStructureObject, prefix: string, walk: Walk): void {
  if (node.childNodes?.length && isMultipart(node)) {
    // The multipart body of message/rfc822 part n is numbered n; its children n.1, n.2 (RFC 3501 6.4.5).
    visitMultipart(node, prefix, walk);
    return;
  }
  // A message that is not multipart has exactly one part, numbered 1, described by the message header.
  const leaf: Leaf = {
    part: prefix ? `${prefix}.1` : '1',
    header: prefix ? `${prefix}.HEADER` : 'HEADER',
    body: prefix ? `${prefix}.TEXT` : 'TEXT',
    node,
  };
  visitLeaf(leaf, walk);
}

function visitMultipart(node: MessageStructureObject, number: string, walk: Walk): void {
  if (walk.depth >= MAX_STRUCTURE_DEPTH) {
    walk.plan.tooDeep = true;
    return;
  }
  const children = node.childNodes ?? [];
  const inner: Walk = { ...walk, report: walk.report || node.type.toLowerCase() === 'multipart/report', depth: walk.depth + 1 };
  const alternative = node.type.toLowerCase() === 'multipart/alternative' ? chooseAlternative(children) : undefined;
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    if (alternative && child !== alternative) {
      continue;
    }
    const part = number ? `${number}.${i + 1}` : String(i + 1);
    if (child.childNodes?.length && isMultipart(child)) {
      visitMultipart(child, part, inner);
    } else {
      visitLeaf({ part, header: `${part}.MIME`, body: part, node: child }, inner);
    }
  }
}

function visitLeaf(leaf: Leaf, walk: Walk): void {
  const { node, part } = leaf;
  const { plan } = walk;
  const type = node.type.toLowerCase();
  const disposition = node.disposition?.toLowerCase();
  const named = Boolean(node.dispositionParameters?.filename || node.parameters?.name);
  if (type === 'message/rfc822') {
    // Like the full parse (postal-mime): a forwarded message not marked as an attachment is shown
    // in the body; one marked so, or a bounced message inside a report, is a downloadable .eml.
    const enclosed = node.childNodes?.[0];
    if (enclosed && disposition !== 'attachment' && !walk.report) {
      if (walk.depth >= MAX_STRUCTURE_DEPTH) {
        plan.tooDeep = true;
        return;
      }
      visitMessage(enclosed, part, { ...walk, depth: walk.depth + 1 });
    } else {
      plan.attachments.push(leaf);
    }
  } else if (disposition === 'attachment') {
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

/** Whether any part in the subtree is HTML; walked with a stack, as the tree comes from the server. */
function hasHtml(root: MessageStructureObject): boolean {
  const pending = [root];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (node.type.toLowerCase() === 'text/html') {
      return true;
    }
    for (const child of node.childNodes ?? []) {
      pending.push(child);
    }
  }
  return false;
}

function isMultipart(node: MessageStructureObject): boolean {
  return node.type.toLowerCase().startsWith('multipart/');
}

function chooseAlternative(children: MessageStructureObject[]): MessageStructureObject | undefined {
  return children.find(hasHtml) ?? children.find((n) => n.type.toLowerCase() === 'text/plain') ?? children[children.length - 1];
}

function sectionsOf(leaf: Leaf): string[] {
  return [leaf.header, leaf.body];
}

function hasSection(fetched: FetchMessageObject, key: string): boolean {
  return key === 'HEADER' ? fetched.headers !== undefined : fetched.bodyParts?.has(key.toLowerCase()) === true;
}

/**
 * imapflow files BODY[HEADER] under `headers` and other sections under `bodyParts`, keyed in lower
 * case. A section the server did not send is an error, not an empty part: the caller then reads
 * the whole message instead of showing "no text".
 */
function sectionOf(fetched: FetchMessageObject, key: string): Buffer {
  const value = key === 'HEADER' ? fetched.headers : fetched.bodyParts?.get(key.toLowerCase());
  if (value === undefined) {
    throw new Error(`the server sent no BODY[${key}]`);
  }
  return value;
}

/**
 * Text and HTML parts shown one after another (a note, then a forwarded message). With any HTML,
 * the plain parts are escaped into it so that none is dropped.
 */
function joinBodies(bodies: { text?: string; html?: string }[]): { text?: string; html?: string } {
  if (!bodies.some((b) => b.html !== undefined)) {
    return { text: bodies.map((b) => b.text ?? '').join('\n\n') };
  }
  const html = bodies.map((b) => b.html ?? `<pre style="white-space: pre-wrap">${escapeHtml(b.text ?? '')}</pre>`);
  return { html: html.join('<hr>') };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
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
