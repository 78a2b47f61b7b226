/**
 * `webhook-id` is "the same on every retry, meant as the idempotency key"
 * (Standard Webhooks spec, providers.md §6); it is scoped by the source name.
 */
export function standardDedupeKey(source: string, webhookId: string): string {
  return `standard:${source}:${webhookId}`;
}
