/**
 * The key store: one key per data subject (and one pseudonym key per tenant),
 * in a SQLite file of its own in DATA_DIR, never in the log. It is the one
 * place of the service that really deletes: `secure_delete` overwrites what a
 * deletion frees, and an erasure ends with a truncating WAL checkpoint, so no
 * page of the file or of its WAL holds an erased key afterwards.
 *
 * Every key is stored wrapped (AES-256-GCM) under a key derived from the
 * master key (SUBJECT_MASTER_KEY): a copy of the file alone opens nothing. The
 * file holds no email or name in the clear either: emails appear only as a
 * blind index (HMAC), profiles sealed under the subject's own key.
 *
 * Keys are created ahead, in batches written with synchronous=FULL (one fsync
 * for KEY_BATCH keys): a key a logged event names must never be lost to a
 * power cut, and a new participant on the intake path costs no fsync. Giving a
 * pre-created key to a subject is written without fsync; after a crash that
 * lost the assignment, the key is still there (the event names its id) and
 * keys never handed out are retired, never handed out twice.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { preparePrivateFile } from '../data-dir/private-files';
import { derivedKey, newKey, open, seal, SealBroken } from './sealing';
import { emailIndexOf, identityText, pseudonymOf, type Identity } from './pseudonyms';

export const KEY_STORE_FILE = 'subject-keys.sqlite';
const KEY_BATCH = 512;
/** Keys kept unwrapped in memory; a miss costs one indexed read and one unwrap. */
const CACHED_KEYS = 50_000;
const CHECK_TEXT = 'referral-ledger subject key store';

/** The master key given does not open this key store: every sealed part would stay unreadable. */
export class MasterKeyMismatch extends Error {
  override readonly name = 'MasterKeyMismatch';
  constructor(file: string) {
    super(
      `${file} was written under another SUBJECT_MASTER_KEY: with this one no personal part of any delivery can be opened (set the key it was written with; docs/erasure.md#key-loss)`,
    );
  }
}

export interface SubjectKey {
  readonly keyId: string;
  readonly key: Buffer;
}

export interface Erasure {
  readonly requestId: string;
  readonly erasedAt: string;
}

export interface EraseOrder {
  readonly requestId: string;
  readonly erasedAt: string;
  readonly pseudonyms: readonly string[];
  /** Key ids the log names for these pseudonyms (some may no longer be assigned in this file). */
  readonly keyIds: readonly string[];
}

export interface KeyStoreOptions {
  /** A file path, or `:memory:` for tests. */
  readonly file: string;
  readonly masterKey: Buffer;
}

export class SubjectKeyStore {
  private readonly db: Database.Database;
  private readonly wrapKey: Buffer;
  private readonly indexKey: Buffer;
  private readonly current = new Map<string, SubjectKey>();
  private readonly byId = new Map<string, Buffer>();
  private readonly tenants = new Map<string, Buffer>();
  private readonly profiles = new Map<string, string>();
  private readonly pseudonyms = new Map<string, string>();
  private pool: string[] = [];

  private constructor(
    readonly file: string,
    masterKey: Buffer,
  ) {
    if (file !== ':memory:') preparePrivateFile(file);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('secure_delete = ON');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.wrapKey = derivedKey(masterKey, 'referral-ledger key wrapping');
    this.indexKey = derivedKey(masterKey, 'referral-ledger email index');
    this.checkMasterKey();
    // Pre-created keys nobody was given before the last stop: maybe given, maybe not. Never again.
    this.db.prepare(`UPDATE subject_keys SET state = 'retired' WHERE state = 'free'`).run();
  }

  static open(options: KeyStoreOptions): SubjectKeyStore {
    return new SubjectKeyStore(options.file, options.masterKey);
  }

  /** The pseudonym key of a tenant (`provider:tenant`), created on first use. */
  tenantKey(scope: string): Buffer {
    const cached = this.tenants.get(scope);
    if (cached !== undefined) return cached;
    const row = this.db.prepare('SELECT wrapped FROM tenant_keys WHERE scope = ?').get(scope) as
      { wrapped: string } | undefined;
    let key: Buffer;
    if (row !== undefined) key = this.unwrap(row.wrapped, `tenant ${scope}`);
    else {
      key = newKey();
      this.durably(() =>
        this.db
          .prepare('INSERT INTO tenant_keys (scope, wrapped) VALUES (?, ?)')
          .run(scope, this.wrap(key, `tenant ${scope}`)),
      );
    }
    this.tenants.set(scope, key);
    return key;
  }

  /** A person's pseudonym in a tenant (HMAC under the tenant key), remembered: people recur. */
  pseudonymOf(scope: string, identity: Identity): string {
    const name = `${scope} ${identityText(identity)}`;
    const cached = this.pseudonyms.get(name);
    if (cached !== undefined) return cached;
    const pseudonym = pseudonymOf(this.tenantKey(scope), identity);
    this.remember(this.pseudonyms, name, pseudonym);
    return pseudonym;
  }

  /** Scopes with a tenant key: where a participant id may name a pseudonym. */
  scopes(): string[] {
    return (
      this.db.prepare('SELECT scope FROM tenant_keys ORDER BY scope').all() as { scope: string }[]
    ).map((row) => row.scope);
  }

  /** The key new deliveries naming this subject are sealed under, given on first use. */
  currentKey(scope: string, pseudonym: string): SubjectKey {
    const cached = this.current.get(pseudonym);
    if (cached !== undefined) return cached;
    const row = this.db
      .prepare(
        `SELECT key_id, wrapped FROM subject_keys WHERE pseudonym = ? AND state = 'given'
         ORDER BY created_at DESC, key_id LIMIT 1`,
      )
      .get(pseudonym) as { key_id: string; wrapped: string } | undefined;
    const given =
      row === undefined
        ? this.give(scope, pseudonym)
        : { keyId: row.key_id, key: this.unwrap(row.wrapped, row.key_id) };
    this.remember(this.current, pseudonym, given);
    this.remember(this.byId, given.keyId, given.key);
    return given;
  }

  /** A key by the id an event names; undefined once erased (or lost). */
  keyById(keyId: string): Buffer | undefined {
    const cached = this.byId.get(keyId);
    if (cached !== undefined) return cached;
    const row = this.db.prepare('SELECT wrapped FROM subject_keys WHERE key_id = ?').get(keyId) as
      { wrapped: string } | undefined;
    if (row === undefined) return undefined;
    const key = this.unwrap(row.wrapped, keyId);
    this.remember(this.byId, keyId, key);
    return key;
  }

  /** When and by which request a key was erased; undefined when it never was (held, or lost). */
  erasureOf(keyId: string): Erasure | undefined {
    const row = this.db
      .prepare('SELECT request_id, erased_at FROM erased WHERE key_id = ?')
      .get(keyId) as { request_id: string; erased_at: string } | undefined;
    return row === undefined ? undefined : { requestId: row.request_id, erasedAt: row.erased_at };
  }

  /**
   * What the API reveals in place of a subject's tokens (email, names), sealed
   * under the subject's current key, and the blind index of its emails.
   * Written only when it changed.
   */
  rememberProfile(pseudonym: string, profile: Readonly<Record<string, string>>): void {
    const text = JSON.stringify(profile);
    if (this.profiles.get(pseudonym) === text) return;
    const key = this.current.get(pseudonym);
    if (key === undefined) return;
    const emails = Object.entries(profile)
      .filter(([field]) => field === 'email')
      .map(([, email]) => emailIndexOf(this.indexKey, email));
    const sealed = seal(key.key, Buffer.from(text, 'utf8'), `profile ${pseudonym} ${key.keyId}`);
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO profiles (pseudonym, key_id, sealed) VALUES (?, ?, ?)
           ON CONFLICT (pseudonym) DO UPDATE SET key_id = excluded.key_id, sealed = excluded.sealed`,
        )
        .run(pseudonym, key.keyId, sealed);
      const index = this.db.prepare(
        'INSERT OR IGNORE INTO email_index (email_mac, pseudonym) VALUES (?, ?)',
      );
      for (const mac of emails) index.run(mac, pseudonym);
    })();
    this.remember(this.profiles, pseudonym, text);
  }

  profileOf(pseudonym: string): Record<string, string> | undefined {
    // Answers reveal the same people again and again: the last profile written or read is kept.
    const cached = this.profiles.get(pseudonym);
    if (cached !== undefined) return JSON.parse(cached) as Record<string, string>;
    const row = this.db
      .prepare('SELECT key_id, sealed FROM profiles WHERE pseudonym = ?')
      .get(pseudonym) as { key_id: string; sealed: string } | undefined;
    if (row === undefined) return undefined;
    const key = this.keyById(row.key_id);
    if (key === undefined) return undefined;
    try {
      const text = open(key, row.sealed, `profile ${pseudonym} ${row.key_id}`).toString('utf8');
      this.remember(this.profiles, pseudonym, text);
      return JSON.parse(text) as Record<string, string>;
    } catch (error) {
      if (error instanceof SealBroken) return undefined;
      throw error;
    }
  }

  pseudonymsByEmail(email: string): string[] {
    return (
      this.db
        .prepare('SELECT pseudonym FROM email_index WHERE email_mac = ? ORDER BY pseudonym')
        .all(emailIndexOf(this.indexKey, email)) as { pseudonym: string }[]
    ).map((row) => row.pseudonym);
  }

  /** Every key ever given to this pseudonym that is still held. */
  keyIdsOf(pseudonym: string): string[] {
    return (
      this.db
        .prepare('SELECT key_id FROM subject_keys WHERE pseudonym = ? ORDER BY key_id')
        .all(pseudonym) as { key_id: string }[]
    ).map((row) => row.key_id);
  }

  /**
   * Destroys the keys (and profiles, and email index rows) of these subjects,
   * records when, and leaves no copy in the file or its WAL.
   */
  erase(order: EraseOrder): { readonly keysDestroyed: number } {
    const keyIds = new Set([...order.keyIds, ...order.pseudonyms.flatMap((p) => this.keyIdsOf(p))]);
    let destroyed = 0;
    this.durably(() => {
      const pseudonymOf = this.db.prepare('SELECT pseudonym FROM subject_keys WHERE key_id = ?');
      const tombstone = this.db.prepare(
        `INSERT OR IGNORE INTO erased (key_id, pseudonym, erased_at, request_id) VALUES (?, ?, ?, ?)`,
      );
      const remove = this.db.prepare('DELETE FROM subject_keys WHERE key_id = ?');
      for (const keyId of keyIds) {
        const row = pseudonymOf.get(keyId) as { pseudonym: string | null } | undefined;
        tombstone.run(
          keyId,
          row?.pseudonym ?? order.pseudonyms[0] ?? '-',
          order.erasedAt,
          order.requestId,
        );
        destroyed += remove.run(keyId).changes;
      }
      for (const pseudonym of order.pseudonyms) {
        this.db.prepare('DELETE FROM profiles WHERE pseudonym = ?').run(pseudonym);
        this.db.prepare('DELETE FROM email_index WHERE pseudonym = ?').run(pseudonym);
      }
    });
    for (const keyId of keyIds) this.byId.delete(keyId);
    for (const pseudonym of order.pseudonyms) {
      this.current.delete(pseudonym);
      this.profiles.delete(pseudonym);
    }
    this.truncateWal();
    return { keysDestroyed: destroyed };
  }

  close(): void {
    this.truncateWal();
    this.db.close();
  }

  private give(scope: string, pseudonym: string): SubjectKey {
    if (this.pool.length === 0) this.refill();
    const keyId = this.pool.pop()!;
    this.db
      .prepare(`UPDATE subject_keys SET state = 'given', pseudonym = ?, scope = ? WHERE key_id = ?`)
      .run(pseudonym, scope, keyId);
    return { keyId, key: this.keyById(keyId)! };
  }

  /** KEY_BATCH new keys in one transaction, fsync'd before any of them is handed out. */
  private refill(): void {
    const ids: string[] = [];
    const createdAt = new Date().toISOString();
    this.durably(() => {
      const insert = this.db.prepare(
        `INSERT INTO subject_keys (key_id, state, pseudonym, scope, wrapped, created_at)
         VALUES (?, 'free', NULL, NULL, ?, ?)`,
      );
      for (let i = 0; i < KEY_BATCH; i += 1) {
        const keyId = randomBytes(12).toString('hex');
        insert.run(keyId, this.wrap(newKey(), keyId), createdAt);
        ids.push(keyId);
      }
    });
    this.pool = ids;
  }

  private durably(write: () => void): void {
    this.db.pragma('synchronous = FULL');
    try {
      this.db.transaction(write)();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  private truncateWal(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  private checkMasterKey(): void {
    const row = this.db.prepare(`SELECT value FROM meta WHERE name = 'check'`).get() as
      { value: string } | undefined;
    if (row === undefined) {
      this.db
        .prepare(`INSERT INTO meta (name, value) VALUES ('check', ?)`)
        .run(seal(this.wrapKey, Buffer.from(CHECK_TEXT, 'utf8'), 'check'));
      return;
    }
    try {
      open(this.wrapKey, row.value, 'check');
    } catch {
      this.db.close();
      throw new MasterKeyMismatch(this.file);
    }
  }

  private wrap(key: Buffer, id: string): string {
    return seal(this.wrapKey, key, `key ${id}`);
  }

  private unwrap(wrapped: string, id: string): Buffer {
    return open(this.wrapKey, wrapped, `key ${id}`);
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    if (map.size >= CACHED_KEYS) {
      const oldest = map.keys().next();
      if (oldest.done !== true) map.delete(oldest.value);
    }
    map.set(key, value);
  }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tenant_keys (scope TEXT PRIMARY KEY, wrapped TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS subject_keys (
  key_id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  pseudonym TEXT,
  scope TEXT,
  wrapped TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS subject_keys_by_pseudonym ON subject_keys (pseudonym) WHERE pseudonym IS NOT NULL;
CREATE TABLE IF NOT EXISTS profiles (pseudonym TEXT PRIMARY KEY, key_id TEXT NOT NULL, sealed TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS email_index (
  email_mac TEXT NOT NULL,
  pseudonym TEXT NOT NULL,
  PRIMARY KEY (email_mac, pseudonym)
);
CREATE TABLE IF NOT EXISTS erased (
  key_id TEXT PRIMARY KEY,
  pseudonym TEXT NOT NULL,
  erased_at TEXT NOT NULL,
  request_id TEXT NOT NULL
);
`;
