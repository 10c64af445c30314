/** The mirror's store on its own: put, first page at two sizes, bytes on disk per message. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MailCache, silentLog, type CachedMessage } from '../../src/core';
import { median, RUNS, spread, time, WARMUP } from './figures';

/**
 * The mirror's store on its own (not yet fed by sync): putting a whole folder's summaries, the
 * first page of a warm open at two folder sizes (it should not grow with the folder), and bytes on
 * disk per message. Figures to build the sync engine against; no raw baseline applies.
 */
export async function benchMirrorStore(count: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-bench-cache-'));
  try {
    const firstPage: Record<number, number[]> = {};
    // The first size measured must not pay for warming up the SQLite code and the JIT.
    const warm = new MailCache(path.join(dir, 'warm.sqlite'), { log: silentLog, maxBodyBytes: 0 });
    warm.putMessages('Big', Array.from({ length: 200 }, (_, i) => benchSummary(i + 1)));
    for (let i = 0; i < 50; i++) warm.page('Big', 50);
    warm.close();
    for (const size of [Math.max(1, Math.floor(count / 10)), count]) {
      const file = path.join(dir, `cache-${size}.sqlite`);
      const cache = new MailCache(file, { log: silentLog, maxBodyBytes: 0 });
      cache.saveFolder({ path: 'Big', uidValidity: '1' });
      const summaries = Array.from({ length: size }, (_, i) => benchSummary(i + 1));
      const put = await time(async () => cache.putMessages('Big', summaries));
      firstPage[size] = [];
      for (let i = 0; i < WARMUP + RUNS; i++) {
        const ms = await time(async () => cache.page('Big', 50));
        if (i >= WARMUP) firstPage[size].push(ms);
      }
      cache.close();
      const bytes = fs.statSync(file).size;
      console.log(`mirror store, ${size} summaries: put in ${put.toFixed(0)} ms, first page ${spread(firstPage[size])} ms, ${(bytes / size).toFixed(0)} bytes per message on disk`);
    }
    const [small, large] = Object.keys(firstPage).map(Number);
    console.log(`warm first page, ${large} against ${small}: ${(median(firstPage[large]) / median(firstPage[small])).toFixed(2)}x (flat is 1x)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function benchSummary(uid: number): CachedMessage {
  return {
    uid,
    uidValidity: '1',
    folder: 'Big',
    subject: `[octo/repo] Build #${uid} ${uid % 7 ? 'passed' : 'failed'}`,
    from: { name: 'CI', address: 'builds@ci.example.com' },
    to: [{ address: 'alice@example.com' }],
    cc: [],
    date: new Date(Date.UTC(2026, 0, 1) + uid * 60_000).toISOString(),
    flags: { seen: uid % 3 !== 0, flagged: false, answered: false, deleted: false, draft: false },
    hasAttachment: false,
    size: 900,
    messageId: `<build-${uid}@ci.example.com>`,
    listId: '<repo.octo.github.com>',
    githubReason: 'ci_activity',
  };
}

