/**
 * Authenticated encryption of the personal parts of a stored delivery:
 * AES-256-GCM from node:crypto, a fresh 96-bit nonce per seal, and associated
 * data that binds a sealed part to the event and the subject it was written for
 * (a part copied into another event, or under another subject, does not open).
 *
 * A sealed part is one base64url string: nonce (12) | tag (16) | ciphertext.
 */
import {
  createCipheriv,
  createDecipheriv,
  hkdfSync,
  randomBytes,
  randomFillSync,
} from 'node:crypto';

export const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed part that does not open: wrong key, other associated data, or altered bytes. */
export class SealBroken extends Error {
  override readonly name = 'SealBroken';
  constructor(readonly aad: string) {
    super(`a sealed part does not open under the key given (${aad})`);
  }
}

export function newKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/**
 * Nonces drawn from a pool filled 4 KiB at a time: one system call per ~340
 * seals instead of one each. Random 96-bit nonces are safe far beyond the
 * number of seals one subject's key will ever see (NIST SP 800-38D: 2^32).
 */
const pool = Buffer.alloc(NONCE_BYTES * 341);
let poolOffset = pool.length;
function nextNonce(): Buffer {
  if (poolOffset + NONCE_BYTES > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const nonce = Buffer.from(pool.subarray(poolOffset, poolOffset + NONCE_BYTES));
  poolOffset += NONCE_BYTES;
  return nonce;
}

export function seal(key: Buffer, plaintext: Buffer, aad: string): string {
  const nonce = nextNonce();
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64url');
}

export function open(key: Buffer, sealed: string, aad: string): Buffer {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < NONCE_BYTES + TAG_BYTES) throw new SealBroken(aad);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(bytes.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
    return Buffer.concat([
      decipher.update(bytes.subarray(NONCE_BYTES + TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw new SealBroken(aad);
  }
}

/**
 * The key of a delivery's raw body: derived from the keys of every subject the
 * delivery names (in the order the event lists them), so it exists only while
 * all of them do. Erasing any one subject makes the body unreadable, even to
 * someone holding every other subject's key.
 */
export function bodyKey(subjectKeys: readonly Buffer[], eventId: string): Buffer {
  return Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.concat(subjectKeys),
      Buffer.from(eventId, 'utf8'),
      'referral-ledger body',
      KEY_BYTES,
    ),
  );
}

/** A key for one purpose derived from the master key (wrapping, the email index). */
export function derivedKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), purpose, KEY_BYTES));
}
