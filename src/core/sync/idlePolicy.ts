/**
 * How an account's connections idle. The listening connection IDLEs (RFC 2177); the command
 * connection does not (README, "The two connections"): a command after a pause would first wait
 * for the IDLE's DONE and OK. A quiet command connection is kept alive with a NOOP instead.
 */
import type { ImapFlow } from 'imapflow';
import { connectionBusy } from '../imap/imapflowInternals';
import type { MailLog } from '../imap/log';
import type { Disposable } from '../model/events';

/** How the connections idle; tests shorten the delays. */
export interface IdlePolicy {
  /**
   * imapflow's automatic IDLE on the command connection after this many ms without a command;
   * false (the default): the command connection never IDLEs, the listening one watches.
   */
  commandIdle?: number | false;
  /** imapflow's automatic IDLE delay on the listening connection (its default: 15 s). */
  watchIdleDelay?: number;
  /** A quiet command connection is checked with NOOP this often (default 2 min). */
  keepaliveMs?: number;
}

/**
 * A command connection that does not IDLE is quiet between the user's actions: a NOOP this often
 * keeps it from the server's autologout (RFC 3501 5.4: at least 30 min) and from imapflow's own
 * watchdog (5 min here), and finds a link that died silently before the user's next click does.
 */
const KEEPALIVE_MS = 2 * 60_000;

/**
 * NOOP on the quiet command connection now and then (KEEPALIVE_MS), through `answered` (the answer
 * deadline); none when the policy lets that connection IDLE. Dispose when the connection goes.
 */
export function keepQuietConnectionAlive(
  client: ImapFlow,
  policy: IdlePolicy,
  answered: (work: () => Promise<unknown>) => Promise<unknown>,
  log: MailLog,
): Disposable {
  if (policy.commandIdle !== undefined && policy.commandIdle !== false) return { dispose: () => undefined };
  const timer = setInterval(() => {
    if (!client.usable || connectionBusy(client)) return;
    answered(() => client.noop()).catch((err) => log.debug(`keepalive NOOP failed: ${err}`));
  }, policy.keepaliveMs ?? KEEPALIVE_MS);
  timer.unref?.();
  return { dispose: () => clearInterval(timer) };
}
