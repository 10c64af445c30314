/**
 * The one door into Mailroom's core: `src/` imports core only from here, and scripts and tests can
 * drive a mail account through the same API. Nothing here knows of VS Code.
 *
 *   imap/     connecting, credentials, certificates, error classification, the redacting wire log
 *   sync/     keeping open folders and counts current: catch-up, watcher (NOTIFY, IDLE, polling), reconnect
 *   cache/    the SQLite mirror of opened folders (schema, migrations, reads and writes)
 *   model/    plain data: the mail domain's types, the folder tree, folder windows, change events
 *   message/  reading a message part by part, MIME, charsets, the HTML sanitiser
 *   account/  AccountSession, which composes the rest for one account
 *
 * Data flows one way: server → imap → sync → cache/model → AccountSession's events → the caller.
 */

// One account: connect, list folders, open folders, read messages, set flags; events say what changed.
export { AccountSession, type SessionOptions } from './account/accountSession';
export { ActionNeedsConfirmation, NoFolderForRole, type ActionReceipt, type DeleteOptions, type MoveOptions } from './actions/mailActions';
export type { ActionFailure } from './actions/taskQueue';
export type { SystemFlag } from './actions/flags';
export { folderNameProblem } from './actions/folderActions';

// Credentials: a saved password is bound to the server it was given for.
export {
  bindingOf,
  decodeCredential,
  describeServer,
  encodeCredential,
  isLocalHost,
  passwordFor,
  plaintextAllowed,
  sameServer,
  type CredentialProvider,
  type SavedCredential,
  type ServerBinding,
} from './imap/credentials';
export { readPresentedCertificate, type PresentedCertificate } from './imap/certificate';
export { classifyError, isUnreachable, MailError } from './imap/errors';
export { silentLog, taggedLog, type LogLevel, type MailLog } from './imap/log';

// The mail domain.
export type { SpecialUseOverrides } from './model/folders';
export type { FolderChange } from './model/loadedFolder';
export type { MirrorProgress } from './sync/mirrorFill';
export { accountNodeId, folderNodeId, messageNodeId, parseMessageNodeId, type MessageRef } from './model/ids';
export type { Disposable, Event } from './model/events';
export * from './model/types';

// The mirror.
export { MailCache, type CacheOptions, type CachedFolder, type FlagUpdate } from './cache/mailCache';
export type { CachedMessage } from './cache/rows';
