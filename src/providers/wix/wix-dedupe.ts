/**
 * Wix gives every event an id "to ignore duplicate events" (docs/providers.md#wix-dedupe);
 * scoping it by app instance (the site) costs nothing.
 */
export function wixDedupeKey(instanceId: string, eventId: string): string {
  return `wix:${instanceId}:${eventId}`;
}
