/**
 * One mirror database per account under the extension's global storage. A database belongs to the
 * server it mirrors: its file name carries the account id and a digest of the server (host, port,
 * user), so an account moved to another server starts a new mirror and the old one is deleted.
 * Removing the account deletes its database; Clear Cache empties them all.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MailCache, type AccountConfig, type MailLog } from '../core';

export class MailCaches {
  private readonly open = new Map<string, { key: string; cache: MailCache }>();

  constructor(
    private readonly dir: string,
    private readonly log: MailLog,
    private maxBodyBytes: number,
  ) {}

  /** The account's mirror, opened (or made) on first use; undefined if it cannot be had at all. */
  for(account: AccountConfig): MailCache | undefined {
    const key = fileKey(account);
    const current = this.open.get(account.id);
    if (current?.key === key) return current.cache;
    this.close(account.id);
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      this.deleteFiles(account.id, key);
      const cache = new MailCache(path.join(this.dir, `${key}.sqlite`), { log: this.log, maxBodyBytes: this.maxBodyBytes });
      this.open.set(account.id, { key, cache });
      return cache;
    } catch (err) {
      // Without a mirror the account still works, only without offline copies.
      this.log.warn(`cache: cannot open the mirror of ${account.name}: ${(err as Error).message}`);
      return undefined;
    }
  }

  close(accountId: string): void {
    this.open.get(accountId)?.cache.close();
    this.open.delete(accountId);
  }

  /** The account was removed: its mirror goes with it. */
  remove(accountId: string): void {
    this.close(accountId);
    this.deleteFiles(accountId);
  }

  /** Mailroom: Clear Cache. */
  clearAll(): void {
    for (const { cache } of this.open.values()) cache.clear();
  }

  setMaxBodyMB(megabytes: number): void {
    this.maxBodyBytes = Math.max(0, megabytes) * 1024 * 1024;
    for (const { cache } of this.open.values()) cache.setMaxBodyBytes(this.maxBodyBytes);
  }

  dispose(): void {
    for (const id of [...this.open.keys()]) this.close(id);
  }

  /** Deletes the account's database files, all of them or all but the one named `keep`. */
  private deleteFiles(accountId: string, keep?: string): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    const prefix = `${safeId(accountId)}.`;
    for (const name of names) {
      // `keep.` covers the file of each window (`keep.sqlite`, `keep.w2.sqlite`), its log and lock.
      if (name.startsWith(prefix) && (!keep || !name.startsWith(`${keep}.`))) {
        fs.rmSync(path.join(this.dir, name), { recursive: true, force: true });
      }
    }
  }
}

function safeId(id: string): string {
  return encodeURIComponent(id).replace(/\./g, '%2E');
}

function fileKey(account: AccountConfig): string {
  const server = createHash('sha256').update(`${account.host.toLowerCase()}\n${account.port}\n${account.user}`).digest('hex').slice(0, 12);
  return `${safeId(account.id)}.${server}`;
}
