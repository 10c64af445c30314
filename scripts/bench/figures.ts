/** Timing, interleaved rounds of raw and Mailroom, medians and spreads, and the printed table. */

/** Measured rounds per figure (median and spread are reported), after WARMUP unmeasured ones. */
export const RUNS = Number(process.env.MAILROOM_BENCH_RUNS ?? 7);
export const WARMUP = 2;

export async function time(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export interface Figure {
  name: string;
  raw: number[];
  ours: number[];
}

export interface CompareOptions {
  /** Untimed, after each round of ours: the work Mailroom starts behind a result (counts, previews)
   * must not weigh on the next round, and what a round changed is put back. */
  settle?: () => Promise<unknown>;
  /** Untimed, after each raw round: puts back what it changed (the folder it selected). */
  rawSettle?: () => Promise<unknown>;
  /** Unmeasured rounds of each first (WARMUP unless given). */
  warmup?: number;
  /** Measured rounds of each (RUNS unless given): more for cheap, noisy work. */
  runs?: number;
}

/**
 * Runs the raw baseline and Mailroom's version of the same work interleaved (raw first on even
 * rounds, ours first on odd ones), after unmeasured rounds of each, so that a noisy neighbour, a
 * cold cache or code not yet compiled weighs on both alike. Returns every sample of both.
 */
export async function compare(name: string, raw: () => Promise<unknown>, ours: () => Promise<unknown>, options: CompareOptions = {}): Promise<Figure> {
  const settled = async (work: () => Promise<unknown>, after?: () => Promise<unknown>) => {
    const ms = await time(work);
    await after?.();
    return ms;
  };
  const rawSettled = () => settled(raw, options.rawSettle);
  const oursSettled = () => settled(ours, options.settle);
  for (let i = 0; i < (options.warmup ?? WARMUP); i++) {
    await rawSettled();
    await oursSettled();
  }
  const figure: Figure = { name, raw: [], ours: [] };
  for (let i = 0; i < (options.runs ?? RUNS); i++) {
    if (i % 2 === 0) {
      figure.raw.push(await rawSettled());
      figure.ours.push(await oursSettled());
    } else {
      figure.ours.push(await oursSettled());
      figure.raw.push(await rawSettled());
    }
  }
  return figure;
}

export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `median (min–max)` of samples in ms. */
export function spread(samples: readonly number[]): string {
  let low = Infinity;
  let high = -Infinity;
  for (const s of samples) {
    low = Math.min(low, s);
    high = Math.max(high, s);
  }
  return `${median(samples).toFixed(1)} (${low.toFixed(1)}–${high.toFixed(1)})`;
}

export function printFigures(figures: readonly Figure[]): void {
  console.log('| work | rounds | raw IMAP, ms: median (min–max) | Mailroom, ms | ratio of medians | ratio per round (min–max) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const f of figures) {
    const ratios = f.ours.map((ours, i) => ours / f.raw[i]);
    let low = Infinity;
    let high = -Infinity;
    for (const r of ratios) {
      low = Math.min(low, r);
      high = Math.max(high, r);
    }
    console.log(`| ${f.name} | ${f.ours.length} | ${spread(f.raw)} | ${spread(f.ours)} | ${(median(f.ours) / median(f.raw)).toFixed(2)}x | ${low.toFixed(2)}–${high.toFixed(2)}x |`);
  }
}

