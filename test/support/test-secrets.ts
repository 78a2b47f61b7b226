/**
 * Secrets for tests only: generated per process, never real, never committed
 * as values that could be mistaken for a deployment's.
 */
import { randomBytes } from 'node:crypto';

const token = (bytes: number): string => randomBytes(bytes).toString('base64url');

export const TEST_SECRETS = {
  talkableKey: `test-talkable-${token(12)}`,
  growsurfSecret: `test-growsurf-${token(12)}`,
  refirToken: `test-refir-${token(18)}`,
  standardSource: 'acme',
  standardSecret: `whsec_${randomBytes(24).toString('base64')}`,
  readApiKey: `test-read-${token(16)}`,
  adminApiKey: `test-admin-${token(16)}`,
} as const;
