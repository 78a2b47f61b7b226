/**
 * The read-model database: documents as canonical JSON (one table, partial
 * expression indexes per list the queries sort or filter), one ledger entry per
 * change, and per projection its checkpoint, counters, errors and the events it
 * could not read. Everything here is rebuilt from the log.
 */
export const READ_MODEL_SCHEMA_VERSION = 2;

/**
 * Documents live in a rowid table: a new document is appended and only its
 * small (collection, key) index entry lands at a random place, where a table
 * clustered on the key would move whole bodies around on every page split.
 */
export const READ_MODEL_TABLES = `
CREATE TABLE IF NOT EXISTS documents (
  id INTEGER PRIMARY KEY,
  collection TEXT NOT NULL,
  key TEXT NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (collection, key)
);

CREATE TABLE IF NOT EXISTS ledger_entries (
  id INTEGER PRIMARY KEY,
  projection TEXT NOT NULL,
  position INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  entity_kind TEXT NOT NULL,
  entity_key TEXT NOT NULL,
  owner_key TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'unchanged', 'duplicate', 'superseded')),
  event_id TEXT NOT NULL,
  stream_id TEXT NOT NULL,
  provider_type TEXT NOT NULL,
  received_at TEXT NOT NULL,
  detail TEXT NOT NULL,
  UNIQUE (projection, position, seq)
);

CREATE TABLE IF NOT EXISTS projection_checkpoints (
  projection TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  position INTEGER,
  handled INTEGER NOT NULL DEFAULT 0,
  not_understood INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS projection_errors (
  projection TEXT NOT NULL,
  position INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (projection, position)
);

CREATE TABLE IF NOT EXISTS not_understood (
  projection TEXT NOT NULL,
  position INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (projection, position)
);
`;

/**
 * Secondary indexes, for the queries only: projecting never reads through them.
 * A generation being built has none until it has caught up (maintaining them
 * row by row costs more than building each once), see `indexGeneration`.
 */
export const READ_MODEL_INDEXES = `
CREATE INDEX IF NOT EXISTS referrals_by_advocate
  ON documents (json_extract(body, '$.advocateKey'), key) WHERE collection = 'referral';
CREATE INDEX IF NOT EXISTS referrals_by_friend
  ON documents (json_extract(body, '$.friendKey'), key) WHERE collection = 'referral';
CREATE INDEX IF NOT EXISTS referrals_by_campaign
  ON documents (json_extract(body, '$.campaignKey'), key) WHERE collection = 'referral';
CREATE INDEX IF NOT EXISTS leaderboard_by_campaign
  ON documents (json_extract(body, '$.campaignKey'), json_extract(body, '$.approved') DESC,
    json_extract(body, '$.total') DESC, json_extract(body, '$.advocateKey'))
  WHERE collection = 'leaderboard' AND json_extract(body, '$.total') > 0;
CREATE INDEX IF NOT EXISTS rewards_by_owner
  ON documents (json_extract(body, '$.ownerKey'), key) WHERE collection = 'reward';
CREATE INDEX IF NOT EXISTS participants_by_email
  ON documents (json_extract(body, '$.email'), key) WHERE collection = 'participant';
CREATE INDEX IF NOT EXISTS review_requests_by_tenant
  ON documents (json_extract(body, '$.tenant'), key) WHERE collection = 'review-request';

CREATE INDEX IF NOT EXISTS ledger_entries_by_owner ON ledger_entries (owner_key, position, seq);
CREATE INDEX IF NOT EXISTS ledger_entries_by_entity ON ledger_entries (entity_key, position, seq);
`;

/** Every table above: a file of an older schema version has them dropped and is rebuilt. */
export const READ_MODEL_TABLE_NAMES: readonly string[] = [
  ...READ_MODEL_TABLES.matchAll(/CREATE TABLE IF NOT EXISTS (\w+)/g),
].map((match) => match[1] ?? '');

export const READ_MODEL_INDEX_NAMES: readonly string[] = [
  ...READ_MODEL_INDEXES.matchAll(/CREATE INDEX IF NOT EXISTS (\w+)/g),
].map((match) => match[1] ?? '');

/** What carrying a projection over into a new generation copies: by collection or by projection. */
export const READ_MODEL_COPIES: readonly {
  readonly table: string;
  readonly columns: string;
  readonly by: 'collection' | 'projection';
}[] = [
  { table: 'documents', columns: 'collection, key, body', by: 'collection' },
  {
    table: 'ledger_entries',
    columns: `projection, position, seq, entity_kind, entity_key, owner_key, outcome, event_id,
      stream_id, provider_type, received_at, detail`,
    by: 'projection',
  },
  {
    table: 'projection_errors',
    columns: 'projection, position, event_id, message',
    by: 'projection',
  },
  {
    table: 'not_understood',
    columns: 'projection, position, event_id, event_type, reason',
    by: 'projection',
  },
  {
    table: 'projection_checkpoints',
    columns: 'projection, version, position, handled, not_understood, failed',
    by: 'projection',
  },
];
