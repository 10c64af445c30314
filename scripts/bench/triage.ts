/**
 * Triage in `npm run bench`: archiving a selection of 500 messages (every other message of a folder
 * of 1,000, so the UID set is 500 single UIDs) against a raw `UID MOVE` of the same set, interleaved;
 * and how soon the rows leave the folder's window (the local part of the action, before the server
 * answers). Both move the messages back between rounds, untimed.
 */
import type { AccountSession, MailCache } from '../../src/core';
import type { DovecotServer } from '../../test/support/dovecot';
import { median, spread, type Figure } from './figures';
import { fillMaildir } from './maildir';
import { RawImap } from './rawImap';

const SELECTED = 500;
const ROUNDS = Number(process.env.MAILROOM_BENCH_RUNS ?? 7);

/** UIDs in a SEARCH answer (`* SEARCH 1 2 3`). */
function searched(answer: string): number[] {
  const line = answer.split('\r\n').find((l) => l.startsWith('* SEARCH'));
  return line ? line.slice('* SEARCH'.length).trim().split(/\s+/).filter(Boolean).map(Number) : [];
}

const everyOther = (uids: readonly number[]) => [...uids].sort((a, b) => a - b).filter((_, i) => i % 2 === 0).slice(0, SELECTED);

export async function benchTriage(server: DovecotServer, session: AccountSession, cache: MailCache): Promise<Figure> {
  for (const folder of ['Triage', 'TriageDone', 'RawTriage', 'RawTriageDone']) await server.createFolder('alice', folder);
  fillMaildir(server, 'Triage', 2 * SELECTED);
  fillMaildir(server, 'RawTriage', 2 * SELECTED);
  const raw = await RawImap.open(server.port);
  const mover = await RawImap.open(server.port);
  const figure: Figure = { name: `archive ${SELECTED} selected (every other message): UID MOVE`, raw: [], ours: [] };
  const local: number[] = [];
  try {
    await session.openFolder('Triage');
    // The whole folder in the mirror: the selection is made from what the tree shows.
    await session.catchUpFolder('Triage');
    for (let round = -1; round < ROUNDS; round++) {
      // Raw: the same shape of UID set, to a folder of the same server.
      await raw.run('SELECT RawTriage');
      const rawSet = everyOther(searched(await raw.run('UID SEARCH ALL'))).join(',');
      const started = performance.now();
      await raw.run(`UID MOVE ${rawSet} RawTriageDone`);
      const rawMs = performance.now() - started;
      await raw.run('SELECT RawTriageDone');
      await raw.run('UID MOVE 1:* RawTriage');

      const uids = everyOther(cache.uids('Triage'));
      const begun = performance.now();
      const receipt = session.moveMessages('Triage', uids, 'TriageDone');
      const shown = performance.now() - begun;
      await session.whenDone(receipt.id);
      const oursMs = performance.now() - begun;
      // Back, by another client; the session catches up on them (untimed).
      await mover.run('SELECT TriageDone');
      await mover.run('UID MOVE 1:* Triage');
      await mover.run('UNSELECT');
      await session.catchUpFolder('Triage');
      if (round >= 0) {
        figure.raw.push(rawMs);
        figure.ours.push(oursMs);
        local.push(shown);
      }
    }
  } finally {
    raw.close();
    mover.close();
  }
  console.log(`archive of ${SELECTED}: the rows leave the window ${spread(local)} ms after the action (median ${median(local).toFixed(1)} ms; target 50 ms), before the server answers`);
  return figure;
}
