/** What the user does to a message's flags, on the server (RFC 3501 6.4.6 STORE, by UID). */
import type { ImapFlow } from 'imapflow';

/** The system flags Mailroom sets (RFC 3501 2.3.2). */
export type SystemFlag = '\\Seen' | '\\Flagged' | '\\Answered' | '\\Deleted';

/** Sets or clears `flag` on `uid` of the selected folder. */
export async function storeFlag(client: ImapFlow, uid: number, flag: SystemFlag, on: boolean): Promise<void> {
  const stored = on
    ? await client.messageFlagsAdd(String(uid), [flag], { uid: true })
    : await client.messageFlagsRemove(String(uid), [flag], { uid: true });
  if (stored === false) {
    // imapflow answers a refused STORE with false: that is a failure, not "nothing to do".
    throw new Error(`The server refused to ${on ? 'set' : 'clear'} ${flag} on message ${uid}.`);
  }
}
