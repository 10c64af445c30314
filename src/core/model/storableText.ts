/**
 * Text as the mirror can keep it. node-sqlite3-wasm ends a bound string at its first NUL (U+0000),
 * so a subject such as `=?utf-8?Q?before=00after?=` would be stored as `before`. A NUL is shown and
 * stored alike as U+FFFD, the replacement character a decoder shows for what it cannot read: the
 * first page, "Load older", a restart and offline reading then all show the same text.
 */
export function storableText(text: string): string;
export function storableText(text: string | undefined): string | undefined;
export function storableText(text: string | undefined): string | undefined {
  return text !== undefined && text.includes('\0') ? text.replace(/\0/g, '\uFFFD') : text;
}
