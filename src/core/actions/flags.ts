/** The flags the user sets on mail (RFC 3501 2.3.2); the actions that set them are tasks (`mailActions.ts`). */

/** The system flags Mailroom sets. */
export type SystemFlag = '\\Seen' | '\\Flagged' | '\\Answered' | '\\Deleted';
