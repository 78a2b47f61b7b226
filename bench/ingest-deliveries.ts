/** Unique signed deliveries for bench:ingest, prepared before the clock starts. */
import {
  growsurfDelivery,
  uniqueGrowsurfReward,
  wixDelivery,
  wixFixture,
} from '../test/support/deliveries';

export interface PreparedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

const asPrepared = ({
  path,
  headers,
  body,
}: {
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
}): PreparedRequest => ({
  path,
  headers,
  body: body.toString(),
});

export function growsurfDeliveries(count: number): PreparedRequest[] {
  return Array.from({ length: count }, (_, n) =>
    asPrepared(growsurfDelivery(uniqueGrowsurfReward(n))),
  );
}

export function wixDeliveries(count: number): PreparedRequest[] {
  const template = wixFixture('referral-event-created-reward') as Record<string, unknown>;
  return Array.from({ length: count }, (_, n) => {
    const domainEvent = {
      ...template,
      id: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
    };
    return asPrepared(wixDelivery(domainEvent));
  });
}
