/**
 * What a failure on one of an account's connections says to the user: a MailError in plain words
 * whatever the library threw, and, for a connection that died under the work, the drop or the
 * server's silence rather than whatever the command said last.
 */
import type { ImapFlow } from 'imapflow';
import { silenceInfo, silenceReason } from '../imap/answerDeadline';
import { classifyError, MailError } from '../imap/errors';
import type { AccountConfig } from '../model/types';

export class ConnectionErrors {
  /** The last error each connection reported before it closed: the reason shown while offline. */
  private readonly lastErrors = new WeakMap<ImapFlow, unknown>();

  constructor(
    private readonly account: AccountConfig,
    /** The answer deadline in ms (`mailroom.timeout`), read at each use. */
    private readonly timeoutMs: () => number,
  ) {}

  /** Keeps what `client` reported (its 'error' event): the reason if it closes next. */
  record(client: ImapFlow, err: unknown): void {
    this.lastErrors.set(client, err);
  }

  /** What a failed piece of work (`doing`, e.g. "working on INBOX") says to the user. */
  plain(err: unknown, client: ImapFlow, doing: string): MailError {
    if (err instanceof MailError) {
      return err;
    }
    if (!client.usable) {
      // The connection died under the work: whatever the command said, the cause is the drop,
      // or the silence of the server that other work waited on.
      const silence = silenceReason(client);
      if (silence) {
        return new MailError(silence, { cause: err });
      }
      const why = this.lostReason(client);
      return new MailError({ code: 'dropped', message: `The connection to ${this.account.name} was lost while ${doing}.${why ? ` ${why}` : ''}` }, { cause: err });
    }
    return new MailError(classifyError(err, this.account), { cause: err });
  }

  /** Why a connection closed, in plain words: what it last reported, if anything. */
  lostReason(client: ImapFlow): string | undefined {
    const err = this.lastErrors.get(client);
    if (!err) {
      return undefined;
    }
    const info = classifyError(err, this.account);
    // imapflow's watchdog: the limit it applied is the answer timeout, worth saying.
    return info.code === 'timeout' && (err as { code?: string }).code === 'ETIMEOUT' ? silenceInfo(this.account.host, this.timeoutMs()).message : info.message;
  }
}
