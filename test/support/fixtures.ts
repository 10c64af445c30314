/** Locates the repository's test fixtures, whether running from test/ (ts) or out/test/ (compiled). */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'test', 'fixtures'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`No repository root above ${from}`);
    }
    dir = parent;
  }
  return dir;
}

export function fixture(name: string): Buffer {
  return fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', name));
}

export function fixtureNames(): string[] {
  return fs.readdirSync(path.join(repoRoot(), 'test', 'fixtures')).filter((f) => f.endsWith('.eml')).sort();
}

/** A small message with a given subject, for tests that need many. */
export function simpleMessage(subject: string, opts: { from?: string; date?: Date; body?: string } = {}): string {
  const date = (opts.date ?? new Date()).toUTCString().replace('GMT', '+0000');
  return [
    `From: ${opts.from ?? 'Build Bot <ci@example.com>'}`,
    'To: alice@example.com',
    `Subject: ${subject}`,
    `Date: ${date}`,
    `Message-ID: <${Math.random().toString(36).slice(2)}@mailroom.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    opts.body ?? `Body of ${subject}`,
    '',
  ].join('\r\n');
}
