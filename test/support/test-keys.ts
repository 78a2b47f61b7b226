/**
 * RSA key pairs standing in for a Wix app's keys: generated once per test
 * process, never written anywhere, so no key material is ever committed.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface TestKeyPair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

const pairs = new Map<string, TestKeyPair>();

/** The pair named `name`, the same for the whole process ("wix-app" is the configured one). */
export function testKeyPair(name = 'wix-app'): TestKeyPair {
  let pair = pairs.get(name);
  if (pair === undefined) {
    pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    pairs.set(name, pair);
  }
  return pair;
}

export function testWixPrivateKey(): KeyObject {
  return testKeyPair().privateKey;
}

export function testWixPublicKey(): KeyObject {
  return testKeyPair().publicKey;
}

export function testWixPublicKeyPem(): string {
  return testWixPublicKey().export({ type: 'spki', format: 'pem' }).toString();
}
