/** Fills a test Dovecot's Maildir directly: 100k messages in seconds instead of minutes of APPEND. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DovecotServer } from '../../test/support/dovecot';
import { simpleMessage } from '../../test/support/fixtures';

/** Writes `count` messages numbered from `first` into `folder`; the first batch as read mail in `cur`. */
export function fillMaildir(server: DovecotServer, folder: string, count: number, first = 1): void {
  // New mail goes to `new`, as a delivery would; Dovecot gives it UIDs when it next looks.
  const cur = path.join(server.dir, 'mail', 'alice', `.${folder}`, first === 1 ? 'cur' : 'new');
  fs.mkdirSync(cur, { recursive: true });
  const start = Date.UTC(2026, 0, 1);
  for (let i = first; i < first + count; i++) {
    const date = new Date(start + i * 60_000);
    const body = simpleMessage(`[octo/repo] Build #${i} ${i % 7 ? 'passed' : 'failed'}`, {
      from: 'CI <builds@ci.example.com>',
      date,
      body: `Build ${i} finished.\r\nSee https://ci.example.com/builds/${i}`,
    });
    fs.writeFileSync(path.join(cur, first === 1 ? `${Math.floor(date.getTime() / 1000)}.M${i}P1.bench:2,${i % 3 ? 'S' : ''}` : `${Math.floor(date.getTime() / 1000)}.M${i}P1.bench`), body);
  }
  execFileSync('chown', ['-R', 'dovecot:dovecot', path.join(server.dir, 'mail')]);
}

