/**
 * How much later than a raw client the core tells of another client's change: to the open folder
 * (a flag set and cleared, against a raw client IDLE on the folder), and to another folder's unread
 * count (new mail, against a raw client with NOTIFY, RFC 5465). The server's own delay (Dovecot waits
 * about half a second before it tells anyone) weighs on both alike; the difference is the core's.
 */
import type { AccountSession } from '../../src/core';
import { median } from './figures';
import { RawImap } from './rawImap';

const ROUNDS = Number(process.env.MAILROOM_BENCH_LATENCY_ROUNDS ?? 20);

export interface LatencyFolders {
  /** Open in the session; message UID 1 is flagged and unflagged. */
  open: string;
  /** Not open in the session; gets new mail. */
  other: string;
}

export async function benchLatency(port: number, session: AccountSession, folders: LatencyFolders): Promise<void> {
  const actor = await RawImap.open(port);
  const idler = await RawImap.open(port);
  const notifier = await RawImap.open(port);
  // A second raw NOTIFY client: how far two clients that do nothing else already differ.
  const twin = await RawImap.open(port);
  try {
    await session.openFolder(folders.open);
    await actor.run(`SELECT ${folders.open}`);
    await idler.run(`SELECT ${folders.open}`);
    for (const raw of [notifier, twin]) {
      await raw.run('SELECT INBOX');
      await raw.run('NOTIFY SET (SELECTED (MessageNew MessageExpunge FlagChange)) (PERSONAL (MessageNew MessageExpunge FlagChange MailboxName))');
      await raw.idle();
    }
    await idler.idle();
    await pause(1_000);

    const open: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const raw = idler.news(/FETCH/);
      const ours = event(session.onDidChangeMessages, (c) => c.folder === folders.open && c.changed.length > 0);
      await actor.run(`UID STORE 1 ${i % 2 ? '-' : '+'}FLAGS (\\Flagged)`);
      const [rawAt, oursAt] = await Promise.all([raw, ours]);
      open.push(oursAt - rawAt);
      await pause(200);
    }

    const body = 'From: CI <builds@ci.example.com>\r\nSubject: latency\r\n\r\nnew\r\n';
    // New mail in the open folder: EXISTS to the raw client, a row added to the core's window.
    const arrived: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const raw = idler.news(/EXISTS/);
      const ours = event(session.onDidChangeMessages, (c) => c.folder === folders.open && c.added.length > 0);
      await actor.run(`APPEND ${folders.open} {${Buffer.byteLength(body)}+}\r\n${body}`);
      const [rawAt, oursAt] = await Promise.all([raw, ours]);
      arrived.push(oursAt - rawAt);
      await pause(200);
    }

    const counts: number[] = [];
    const twins: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const raw = notifier.news(new RegExp(`STATUS "?${folders.other}"?`));
      const second = twin.news(new RegExp(`STATUS "?${folders.other}"?`));
      const ours = event(session.onDidChangeCounts, (changed) => changed.some((c) => c.path === folders.other));
      await actor.run(`APPEND ${folders.other} {${Buffer.byteLength(body)}+}\r\n${body}`);
      const [rawAt, secondAt, oursAt] = await Promise.all([raw, second, ours]);
      counts.push(oursAt - rawAt);
      twins.push(secondAt - rawAt);
      await pause(200);
    }
    console.log(`a change to the open folder, the core's event after a raw IDLE client's: median ${median(open).toFixed(1)} ms, p95 ${p95(open).toFixed(1)} ms (${ROUNDS} rounds)`);
    console.log(`new mail in the open folder, the row in the core's window after a raw IDLE client's EXISTS: median ${median(arrived).toFixed(1)} ms, p95 ${p95(arrived).toFixed(1)} ms`);
    console.log(`new mail in another folder, its unread count after a raw NOTIFY client's: median ${median(counts).toFixed(1)} ms, p95 ${p95(counts).toFixed(1)} ms`);
    // Each Dovecot connection is a process that checks for news on timers of its own.
    console.log(`  (a second raw NOTIFY client after the first, the server's own spread: median ${median(twins).toFixed(1)} ms, p95 ${p95(twins).toFixed(1)} ms)`);
  } finally {
    actor.close();
    idler.close();
    notifier.close();
    twin.close();
  }
}

function event<T>(on: (listener: (value: T) => void) => { dispose(): void }, predicate: (value: T) => boolean): Promise<number> {
  return new Promise((resolve) => {
    const sub = on((value) => {
      if (predicate(value)) {
        sub.dispose();
        resolve(performance.now());
      }
    });
  });
}

function p95(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)];
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
