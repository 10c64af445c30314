/** How the view words dates, sizes, addresses and counts, in the user's locale. */
import type { Address } from '../src/core/model/types';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

/** The date in the user's locale, or the header's own text when it is not a date. */
export function formatDate(value: string | undefined): string | undefined {
  if (!value) {
    return undefined;
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateFormat.format(date);
}

export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  const digits = unit === 0 || size >= 10 ? 0 : 1;
  return `${size.toLocaleString(undefined, { maximumFractionDigits: digits })} ${units[unit]}`;
}

/** `Name <address>`, or whichever half exists. */
export function formatAddress(address: Address): string {
  if (address.name && address.address && address.name !== address.address) {
    return `${address.name} <${address.address}>`;
  }
  return address.name ?? address.address ?? '';
}

export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
