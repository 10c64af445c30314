/**
 * A person pauses: what the tests of a session after a quiet spell share. The connections are left
 * alone past imapflow's automatic IDLE delay (a session option, so the tests need not wait the real
 * 15 s), then each operation has a second to answer, as on a quiet connection a user would expect.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { AccountSession } from '../../src/core/account/accountSession';
import { MailCache } from '../../src/core/cache/mailCache';
import { silentLog } from '../../src/core/imap/log';
import type { IdlePolicy } from '../../src/core/sync/idlePolicy';
import type { ActionWorld } from './actionWorld';
import { userSession } from './session';
import { until } from './waitFor';

/** What each operation has, on a quiet connection, before the user would call it a hang. */
export const ANSWER_MS = 1_000;
/** The IDLE delay the sessions get, and the quiet before each operation (past it). */
export const IDLE_DELAY_MS = 400;
export const QUIET_MS = IDLE_DELAY_MS + 200;

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long a hang is waited for before the test says so (past the session's 30 s answer deadline). */
const GIVE_UP_MS = 45_000;

/** Runs `work` and fails when it takes longer than ANSWER_MS. */
export async function answersInTime<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer ${GIVE_UP_MS} ms after a quiet spell (bound ${ANSWER_MS} ms)`)), GIVE_UP_MS);
  });
  const result = await Promise.race([work(), hang]).finally(() => clearTimeout(timer));
  const ms = Date.now() - started;
  assert.ok(ms < ANSWER_MS, `${what} took ${ms} ms after a quiet spell (bound ${ANSWER_MS} ms)`);
  return result;
}

/**
 * The listening connection IDLEs after IDLE_DELAY_MS; with `commandIdles` the command connection
 * is left to imapflow's automatic IDLE too, so every path that reaches the wire is seen to end an
 * IDLE before it writes. Without, the command connection does as shipped (it never IDLEs).
 */
export function quietIdle(commandIdles: boolean): IdlePolicy {
  return commandIdles ? { commandIdle: IDLE_DELAY_MS, watchIdleDelay: IDLE_DELAY_MS } : { watchIdleDelay: IDLE_DELAY_MS };
}

export function describeIdle(commandIdles: boolean): string {
  return commandIdles ? 'with the command connection in IDLE too' : 'as shipped (the listening connection in IDLE)';
}

/**
 * A session of the action world (through its proxy, on the mirror file `name`) whose connections
 * idle as `quietIdle(commandIdles)` says. `close` disposes of it and closes its mirror.
 */
export function quietActionSession(world: ActionWorld, name: string, commandIdles: boolean): { session: AccountSession; cache: MailCache; close(): void } {
  const cache = new MailCache(path.join(world.dir, `${name}.sqlite`), { log: silentLog, maxBodyBytes: 0 });
  const session = userSession({ ...world.server, port: world.proxy.port }, 'alice', {
    pageSize: 50, cache, backoff: { initial: 200, max: 1_000 }, idle: quietIdle(commandIdles),
  });
  return {
    session,
    cache,
    close() {
      session.dispose();
      cache.close();
    },
  };
}

/**
 * Leaves the session's connections alone past the IDLE delay, and waits until the proxy sees them
 * idle: the listening one, and the command one too with `commandIdles`.
 */
export async function quietSpell(world: ActionWorld, commandIdles: boolean): Promise<void> {
  await pause(QUIET_MS);
  const idling = commandIdles ? 2 : 1;
  await until(() => world.proxy.idlingLinks === idling, 5_000, `${idling} connection(s) in IDLE`);
}
