/** An RSA key pair standing in for a Wix app's keys: generated per test process, never stored. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';

let pair: { publicKey: KeyObject; privateKey: KeyObject } | undefined;

function testPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  pair ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  return pair;
}

export function testWixPrivateKey(): KeyObject {
  return testPair().privateKey;
}

export function testWixPublicKeyPem(): string {
  return testPair().publicKey.export({ type: 'spki', format: 'pem' }).toString();
}
