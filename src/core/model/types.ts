/**
 * The mail domain as Mailroom sees it. Plain data only: these values cross from the IMAP session
 * to the tree and, as JSON, to the webview, so they hold no class instances and no Dates.
 */

/** How the connection is protected. `none` is plain text and only sensible on localhost. */
export type Security = 'tls' | 'starttls' | 'none';

/** One account as stored in the `mailroom.accounts` setting: never a secret. */
export interface AccountConfig {
  /** Stable id, used in tree ids and as the SecretStorage key suffix. */
  id: string;
  name: string;
  host: string;
  port: number;
  security: Security;
  user: string;
  /**
   * SHA-256 fingerprint (colon-separated hex, upper case) of a server certificate the user chose
   * to trust for this account although no CA vouches for it.
   */
  trustedCertificate?: string;
}

export type SpecialUse = 'inbox' | 'sent' | 'drafts' | 'trash' | 'junk' | 'archive' | 'all' | 'flagged';

export interface FolderInfo {
  /** Full server path, e.g. `INBOX` or `Lists/vscode`. */
  path: string;
  /** Last segment of the path, decoded. */
  name: string;
  /** Hierarchy delimiter the server reported for this folder (may be empty for flat servers). */
  delimiter: string;
  specialUse?: SpecialUse;
  /** False for \Noselect containers that only hold other folders. */
  selectable: boolean;
  /**
   * Whether the folder has subfolders: from the server's \HasChildren (RFC 3348, RFC 5258 4) while
   * only its level was listed, from `children` once the whole list is known.
   */
  hasChildren?: boolean;
  children: FolderInfo[];
}

export interface FolderCounts {
  path: string;
  messages: number;
  unseen: number;
}

export interface Address {
  name?: string;
  address?: string;
}

export interface MessageFlags {
  seen: boolean;
  flagged: boolean;
  answered: boolean;
  deleted: boolean;
  draft: boolean;
}

/** What the tree shows of a message: fetched from the envelope, never from the body. */
export interface MessageSummary {
  uid: number;
  /** UIDVALIDITY of the folder when this was fetched, as a decimal string (it may exceed 2^53 on some servers). */
  uidValidity: string;
  folder: string;
  subject: string;
  from?: Address;
  to: Address[];
  cc: Address[];
  /** ISO 8601, from the envelope date or else the internal date. */
  date?: string;
  flags: MessageFlags;
  hasAttachment: boolean;
  /** First line of text, where the server offers a preview (RFC 8970 PREVIEW). */
  preview?: string;
  size: number;
  messageId?: string;
}

/** One page of a folder, newest first. */
export interface MessagePage {
  folder: string;
  uidValidity: string;
  messages: MessageSummary[];
  /** True when messages older than the last one in `messages` exist. */
  hasOlder: boolean;
  /** How many older messages there are, as far as known (the mirror may not hold them all yet). */
  older: number;
  /** Messages in the folder when the page was fetched. */
  total: number;
}

export interface AttachmentInfo {
  /** Index among the message's attachments, for download requests. */
  index: number;
  filename: string;
  mimeType: string;
  size: number;
  /** Set for inline parts referenced by `cid:` in the HTML body. */
  contentId?: string;
}

/** A parsed message ready to show. `html` is NOT yet sanitised: the webview sanitises before it renders. */
export interface MessageContent {
  uid: number;
  folder: string;
  subject: string;
  from: Address[];
  to: Address[];
  cc: Address[];
  replyTo: Address[];
  date?: string;
  html?: string;
  text?: string;
  attachments: AttachmentInfo[];
  /** Set when the MIME structure could not be parsed fully: shown to the user as a warning. */
  parseWarning?: string;
  /** The copy kept when the message was last read, shown because the server cannot be reached now. */
  offlineCopy?: boolean;
}

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'online' }
  | { kind: 'offline'; reason: string; retryAt?: number }
  | { kind: 'failed'; error: MailErrorInfo };

/** Classified failure, with words a person can act on. See `errors.ts`. */
export interface MailErrorInfo {
  code:
    | 'auth'
    /** No password may be sent: none is saved, or the one saved belongs to another server. */
    | 'password-needed'
    /** A plain-text link to a host elsewhere that the user did not confirm. */
    | 'insecure'
    | 'host-not-found'
    | 'connection-refused'
    | 'timeout'
    | 'certificate-untrusted'
    | 'tls'
    | 'dropped'
    /** The server refused for now (RFC 5530 INUSE or UNAVAILABLE, throttling): the same may pass later. */
    | 'busy'
    | 'protocol'
    | 'unknown';
  message: string;
  /** Present with `certificate-untrusted`: SHA-256 fingerprint of the presented certificate. */
  fingerprint?: string;
}
