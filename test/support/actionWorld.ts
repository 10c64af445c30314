/**
 * A world for the tests of the user's actions: Dovecot (capabilities as asked), a proxy that keeps
 * a transcript of the wire, a session with a mirror file, and a second IMAP client that says what
 * the server really holds.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ImapFlow } from 'imapflow';
import { AccountSession } from '../../src/core/account/accountSession';
import { MailCache } from '../../src/core/cache/mailCache';
import { silentLog } from '../../src/core/imap/log';
import { startCyrus } from './cyrus';
import { startDovecot } from './dovecot';
import { simpleMessage } from './fixtures';
import { startImapProxy, type ImapProxy } from './imapProxy';
import { otherClient } from './otherClient';
import { until } from './waitFor';

export interface ActionWorld {
  server: { host: string; port: number; users: Record<string, string>; stop(): Promise<void> };
  proxy: ImapProxy;
  transcript: string[];
  other: ImapFlow;
  dir: string;
  /** A session on the mirror file `name` (made on first use), through the proxy. */
  session(name?: string): { session: AccountSession; cache: MailCache; close(): void };
  /** Subjects in `folder` as the server holds them (the second client's view), sorted. */
  subjectsOnServer(folder: string): Promise<string[]>;
  /** Appends `count` messages named `${prefix} 1`… to `folder` through the second client. */
  fill(folder: string, prefix: string, count: number): Promise<void>;
  stop(): Promise<void>;
}

/** Dovecot with these capabilities (all of its own by default), or Cyrus (`'cyrus'`). */
export async function startActionWorld(capabilities?: string, proxyOptions: { stripCopyUid?: boolean } = {}): Promise<ActionWorld> {
  const server = capabilities === 'cyrus' ? await startCyrus({ idled: true }) : await startDovecot(capabilities ? { capabilities } : {});
  const transcript: string[] = [];
  const proxy = await startImapProxy(server.port, { transcript, ...proxyOptions });
  const other = await otherClient(server);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-actions-'));
  const open: { close(): void }[] = [];
  const world: ActionWorld = {
    server,
    proxy,
    transcript,
    other,
    dir,
    session(name = 'mirror') {
      const cache = new MailCache(path.join(dir, `${name}.sqlite`), { log: silentLog, maxBodyBytes: 0 });
      const session = new AccountSession({ id: 'alice', name: 'Alice', host: '127.0.0.1', port: proxy.port, security: 'none', user: 'alice' }, 'secret', {
        log: silentLog,
        pollInterval: 600,
        pageSize: 50,
        fillChunk: 2_000,
        cache,
        backoff: { initial: 200, max: 1_000 },
      });
      const handle = {
        session,
        cache,
        close() {
          session.dispose();
          cache.close();
        },
      };
      open.push(handle);
      return handle;
    },
    async subjectsOnServer(folder) {
      await other.mailboxOpen(folder);
      const subjects: string[] = [];
      const exists = other.mailbox ? other.mailbox.exists : 0;
      if (exists) for await (const m of other.fetch('1:*', { envelope: true })) subjects.push(m.envelope?.subject ?? '');
      return subjects.sort();
    },
    async fill(folder, prefix, count) {
      if (!(await other.list()).some((f) => f.path === folder)) await other.mailboxCreate(folder);
      for (let i = 1; i <= count; i++) await other.append(folder, simpleMessage(`${prefix} ${i}`));
    },
    async stop() {
      for (const handle of open) {
        try {
          handle.close();
        } catch {
          // closed already
        }
      }
      await other.logout().catch(() => undefined);
      await proxy.stop();
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** Subjects of the rows the session shows in `folder`, sorted. */
export function shownSubjects(session: AccountSession, folder: string): string[] {
  return (session.loadedMessages(folder)?.messages ?? []).map((m) => m.subject).sort();
}

/** UIDs of the rows shown in `folder` with these subjects, in their order. */
export function uidsOf(session: AccountSession, folder: string, subjects: readonly string[]): number[] {
  const shown = session.loadedMessages(folder)?.messages ?? [];
  return subjects.map((subject) => {
    const row = shown.find((m) => m.subject === subject);
    if (!row) throw new Error(`no row '${subject}' shown in ${folder}`);
    return row.uid;
  });
}

/** Waits until the session is offline (the proxy cut and refuses links). */
export function offline(session: AccountSession): Promise<unknown> {
  return until(() => session.connectionState.kind !== 'online', 10_000, 'the session offline');
}
