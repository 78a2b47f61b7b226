import { sha256Hex } from '../shared/secrets';

/**
 * Refir sends no id of any kind (docs/providers.md#refir-dedupe): the exact bytes are the
 * identity of a delivery. Two genuinely separate deliveries with identical bytes
 * are recorded once; nothing in the body could tell them apart anyway.
 */
export function refirDedupeKey(rawBody: Buffer): string {
  return `refir:sha256:${sha256Hex(rawBody)}`;
}
