/** Maps a folder's state in the mirror to its row and back. Pure functions. */
import type { SpecialUse } from '../model/types';

/** A folder's state in the mirror. */
export interface CachedFolder {
  path: string;
  delimiter: string;
  specialUse?: SpecialUse;
  uidValidity?: string;
  uidNext?: number;
  highestModseq?: string;
  messages?: number;
  unseen?: number;
  /** Every summary with a UID at or above this is stored; undefined until the first chunk. */
  syncedFrom?: number;
  /** The user opened it: it is mirrored whole. */
  mirrored: boolean;
}

export interface FolderRow {
  path: string;
  delimiter: string;
  special_use: string | null;
  uid_validity: string | null;
  uid_next: number | null;
  highest_modseq: string | null;
  messages: number | null;
  unseen: number | null;
  synced_from: number | null;
  mirrored: number;
}

const COLUMNS: [keyof CachedFolder, string, (v: never) => string | number | null][] = [
  ['delimiter', 'delimiter', (v: string) => v],
  ['specialUse', 'special_use', (v: string | undefined) => v ?? null],
  ['uidValidity', 'uid_validity', (v: string | undefined) => v ?? null],
  ['uidNext', 'uid_next', (v: number | undefined) => v ?? null],
  ['highestModseq', 'highest_modseq', (v: string | undefined) => v ?? null],
  ['messages', 'messages', (v: number | undefined) => v ?? null],
  ['unseen', 'unseen', (v: number | undefined) => v ?? null],
  ['syncedFrom', 'synced_from', (v: number | undefined) => v ?? null],
  ['mirrored', 'mirrored', (v: boolean) => (v ? 1 : 0)],
];

/** The UPDATE that sets the fields `folder` names (an undefined field clears its column), or undefined for none. */
export function folderUpdate(folder: Partial<CachedFolder> & { path: string }): { sql: string; values: (string | number | null)[] } | undefined {
  const set = COLUMNS.filter(([key]) => key in folder);
  if (!set.length) return undefined;
  return {
    sql: `UPDATE folder SET ${set.map(([, column]) => `${column} = ?`).join(', ')} WHERE path = ?`,
    values: [...set.map(([key, , value]) => value(folder[key] as never)), folder.path],
  };
}

export function toFolder(row: FolderRow): CachedFolder {
  return {
    path: row.path,
    delimiter: row.delimiter,
    specialUse: (row.special_use ?? undefined) as SpecialUse | undefined,
    uidValidity: row.uid_validity ?? undefined,
    uidNext: row.uid_next ?? undefined,
    highestModseq: row.highest_modseq ?? undefined,
    messages: row.messages ?? undefined,
    unseen: row.unseen ?? undefined,
    syncedFrom: row.synced_from ?? undefined,
    mirrored: row.mirrored === 1,
  };
}
