/**
 * UID sets as IMAP writes them (RFC 3501 9, sequence-set): `1:5,9,12:14`. A selection of 500 rows
 * is one command, not 500. Pure functions.
 */

/**
 * RFC 7162 3 asks clients to keep a command line under 8,192 octets; a set longer than this is
 * split into several commands (only a scattered selection of thousands of rows gets there).
 */
const MAX_SET_CHARS = 8_000;

/** The UIDs as compact ranges, ascending, duplicates dropped: [1,2,3,5] is `1:3,5`. */
export function uidSet(uids: readonly number[]): string {
  return uidSets(uids, Number.MAX_SAFE_INTEGER)[0] ?? '';
}

/** The UIDs as as few sets as fit a command line each (`maxChars` per set). */
export function uidSets(uids: readonly number[], maxChars = MAX_SET_CHARS): string[] {
  const sorted = [...new Set(uids)].filter((uid) => Number.isInteger(uid) && uid > 0).sort((a, b) => a - b);
  const sets: string[] = [];
  let current = '';
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    const range = j > i ? `${sorted[i]}:${sorted[j]}` : String(sorted[i]);
    if (current && current.length + 1 + range.length > maxChars) {
      sets.push(current);
      current = '';
    }
    current = current ? `${current},${range}` : range;
    i = j + 1;
  }
  if (current) sets.push(current);
  return sets;
}
