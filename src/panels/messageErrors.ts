/**
 * What a message panel says when a message cannot be shown or an attachment saved: a title and what
 * to do next, in words for the user; the log gets the error as thrown.
 */
import { isUnreachable, MailError, type MessageSummary } from '../core';
import type { HostMessage } from '../shared/protocol';

/** The error the panel shows in place of a message that could not be loaded. */
export function loadErrorMessage(err: unknown, reloadsByItself: boolean, summary: MessageSummary | undefined): HostMessage {
  const text = errorText(err);
  if (/no longer on the server|not found|no such message|expunged/i.test(text)) {
    return {
      type: 'error',
      title: 'This message is no longer on the server',
      detail: `${text}\n\nAnother mail client may have moved or deleted it. Refresh the folder to see what it holds now.`,
    };
  }
  if (isUnreachable(err)) {
    // The account was set up and has worked: what the user needs is what happens next, not advice
    // on ports and security settings for a server that answered a minute ago.
    const next = reloadsByItself
      ? 'Mailroom reconnects on its own, and the message shows here as soon as the account is back online.'
      : 'Mailroom reconnects on its own; open the message again once the account is back online.';
    return {
      type: 'error',
      title: 'Offline: this message has not been read on this computer yet',
      detail: `The mail server cannot be reached right now, and only messages opened before are kept for reading offline. ${next}`,
      summary,
    };
  }
  if (err instanceof MailError && err.info.code === 'auth') {
    return { type: 'error', title: 'The mail server refused to sign in', detail: text };
  }
  return { type: 'error', title: 'Could not open this message', detail: `${text}\n\nTry again, or refresh the folder.` };
}

/** The error in words for the user. */
export function errorText(err: unknown): string {
  if (err instanceof MailError) {
    return err.info.message;
  }
  return err instanceof Error && err.message ? err.message : 'Something went wrong while talking to the mail server.';
}

/** The error for the log. */
export function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
