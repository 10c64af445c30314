/** The block above the body: subject, addresses, date and the attachments with their save buttons. */
import type { Address, AttachmentInfo, MessageContent, MessageSummary } from '../src/core/model/types';
import { el } from './dom';
import { formatAddress, formatDate, formatSize, plural } from './format';

export const NO_SUBJECT = '(no subject)';

export function renderHeader(
  message: MessageContent,
  visibleAttachments: AttachmentInfo[],
  onSave: (index: number) => void,
): HTMLElement {
  const fields = el('dl', { className: 'fields' });
  addField(fields, 'From', addressList(message.from));
  addField(fields, 'To', addressList(message.to));
  addField(fields, 'Cc', addressList(message.cc));
  if (message.replyTo.length && !sameAddresses(message.replyTo, message.from)) {
    addField(fields, 'Reply-To', addressList(message.replyTo));
  }
  addField(fields, 'Date', dateElement(message.date));

  return el(
    'header',
    { className: 'message-header' },
    el('h1', { className: 'subject', text: message.subject || NO_SUBJECT }),
    fields,
    visibleAttachments.length ? renderAttachments(visibleAttachments, onSave) : undefined,
  );
}

/** What the tree already knows, shown while the body loads. */
export function renderSummaryHeader(summary: MessageSummary): HTMLElement {
  const fields = el('dl', { className: 'fields' });
  addField(fields, 'From', summary.from ? addressList([summary.from]) : undefined);
  addField(fields, 'To', addressList(summary.to));
  addField(fields, 'Date', dateElement(summary.date));
  return el('header', { className: 'message-header' }, el('h1', { className: 'subject', text: summary.subject || NO_SUBJECT }), fields);
}

function renderAttachments(attachments: AttachmentInfo[], onSave: (index: number) => void): HTMLElement {
  const list = el('ul', { className: 'attachment-list' });
  for (const attachment of attachments) {
    const save = el('vscode-button', { text: 'Save…', attrs: { secondary: '', title: `Save ${attachment.filename}` } });
    save.addEventListener('click', () => onSave(attachment.index));
    list.appendChild(
      el(
        'li',
        { className: 'attachment' },
        el('span', { className: 'attachment-name', text: attachment.filename, attrs: { title: attachment.filename } }),
        el('span', { className: 'attachment-meta', text: `${attachment.mimeType} · ${formatSize(attachment.size)}` }),
        save,
      ),
    );
  }
  return el(
    'section',
    { className: 'attachments', attrs: { 'aria-label': 'Attachments' } },
    el('h2', { text: plural(attachments.length, 'attachment', 'attachments') }),
    list,
  );
}

function addField(list: HTMLDListElement, label: string, value: Node | undefined): void {
  if (value) {
    list.append(el('dt', { text: label }), el('dd', {}, value));
  }
}

function addressList(addresses: Address[]): Node | undefined {
  if (!addresses.length) {
    return undefined;
  }
  const span = el('span', { className: 'addresses' });
  addresses.forEach((address, i) => {
    if (i > 0) {
      span.appendChild(document.createTextNode(', '));
    }
    span.appendChild(el('span', { className: 'address', text: formatAddress(address), attrs: { title: address.address ?? '' } }));
  });
  return span;
}

function dateElement(value: string | undefined): Node | undefined {
  const text = formatDate(value);
  return text && value ? el('time', { text, attrs: { datetime: value } }) : undefined;
}

function sameAddresses(a: Address[], b: Address[]): boolean {
  const key = (list: Address[]): string => list.map((x) => x.address?.toLowerCase() ?? '').join(',');
  return key(a) === key(b);
}
