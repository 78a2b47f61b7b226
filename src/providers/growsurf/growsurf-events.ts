/** The seven webhook events, from GrowSurf's SDK enum (docs/providers.md#growsurf-events). */
export const GROWSURF_EVENTS = [
  'PARTICIPANT_REACHED_A_GOAL',
  'NEW_PARTICIPANT_ADDED',
  'PARTICIPANT_FRAUD_STATUS_UPDATED',
  'NEW_COMMISSION_ADDED',
  'COMMISSION_ADJUSTED',
  'NEW_PAYOUT_ISSUED',
  'CAMPAIGN_ENDED',
] as const;

export type GrowsurfEvent = (typeof GROWSURF_EVENTS)[number];

export function isGrowsurfEvent(name: string): name is GrowsurfEvent {
  return (GROWSURF_EVENTS as readonly string[]).includes(name);
}
