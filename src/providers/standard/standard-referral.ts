/**
 * Which Standard Webhooks payloads the projections read. The spec recommends
 * `{type: "a.b", timestamp, data}`; a sender's referral events are taken to be
 * named `referral.*` (e.g. `referral.created`, `referral.approved`). This is the
 * hook to widen when a real sender is connected: anything else is recorded and
 * marked not understood, and stays in the log.
 */
export function isStandardReferral(eventType: string): boolean {
  return eventType.startsWith('referral.');
}

/** Event names become part of the stored event type: short, printable, no spaces. */
const EVENT_NAME = /^[\x21-\x7e]{1,100}$/;

export function standardEventType(type: unknown): string {
  return typeof type === 'string' && EVENT_NAME.test(type) ? type : 'unknown';
}
