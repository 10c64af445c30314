/**
 * The mirror's schema, as an ordered list of migrations: migration N takes a database from
 * `user_version` N-1 to N. A database whose version is above the last one was written by a newer
 * Mailroom and is set aside, never downgraded in place.
 *
 * Numbers that IMAP defines as unsigned 32-bit (UID, UIDNEXT) fit SQLite integers; UIDVALIDITY is
 * kept as text as the rest of core does, and MODSEQ (unsigned 63-bit, RFC 7162 7) as text too, so no
 * value ever passes through a JavaScript number that could round it.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: folders, message summaries, opened bodies.
  `
  CREATE TABLE folder (
    path TEXT PRIMARY KEY,
    delimiter TEXT NOT NULL DEFAULT '',
    special_use TEXT,
    uid_validity TEXT,
    uid_next INTEGER,
    highest_modseq TEXT,
    messages INTEGER,
    unseen INTEGER,
    -- Background sync has every summary with a UID at or above this; NULL: not started.
    synced_from INTEGER,
    -- The user opened the folder: it is mirrored whole.
    mirrored INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;

  CREATE TABLE message (
    folder TEXT NOT NULL,
    uid INTEGER NOT NULL,
    -- Bit set of system flags (RFC 3501 2.3.2): seen 1, flagged 2, answered 4, deleted 8, draft 16.
    flags INTEGER NOT NULL,
    -- Other flags and keywords, space-separated.
    keywords TEXT,
    modseq TEXT,
    internal_date INTEGER,
    size INTEGER NOT NULL DEFAULT 0,
    from_name TEXT,
    from_address TEXT,
    to_json TEXT,
    cc_json TEXT,
    subject TEXT NOT NULL DEFAULT '',
    date INTEGER,
    message_id TEXT,
    in_reply_to TEXT,
    refs TEXT,
    list_id TEXT,
    github_reason TEXT,
    has_attachment INTEGER NOT NULL DEFAULT 0,
    preview TEXT,
    PRIMARY KEY (folder, uid)
  ) WITHOUT ROWID;
  CREATE INDEX message_unseen ON message (folder, uid) WHERE flags & 1 = 0;

  CREATE TABLE body (
    folder TEXT NOT NULL,
    uid INTEGER NOT NULL,
    content TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    last_read INTEGER NOT NULL,
    PRIMARY KEY (folder, uid)
  ) WITHOUT ROWID;
  CREATE INDEX body_last_read ON body (last_read);
  `,
  // 2: small named values of the account (the folder tree as last listed).
  `
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 3: how many summaries of the folder are stored, and unread: kept with each write, not counted.
  `
  ALTER TABLE folder ADD COLUMN stored INTEGER;
  ALTER TABLE folder ADD COLUMN stored_unseen INTEGER;
  `,
  // 4: the user's actions waiting for the server (flags, moves, deletes), oldest first; each is
  // written with its local change and removed once the server confirmed it.
  `
  CREATE TABLE task (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- JSON: what to do, in which folder, on which UIDs, and how far it has come.
    body TEXT NOT NULL,
    created INTEGER NOT NULL
  );
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
