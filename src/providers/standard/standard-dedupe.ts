/**
 * `webhook-id` is "the same on every retry, meant as the idempotency key"
 * (Standard Webhooks spec, docs/providers.md#standard-dedupe); it is scoped by the source name.
 */
export function standardDedupeKey(source: string, webhookId: string): string {
  return `standard:${source}:${webhookId}`;
}
