/**
 * Signed deliveries for bench:ingest. Each GrowSurf delivery is a new reward
 * for a new friend, the advocate drawn from a pool (a real program has many
 * advocates: one advocate for every delivery keeps its documents hot in cache
 * and flatters the fold, see /work/shared/PERF-NOTES "realistic ingest load").
 */
import { signGrowsurf } from '../src/providers/growsurf/growsurf-sign';
import { growsurfFixture, wixDelivery, wixFixture } from '../test/support/deliveries';

export interface PreparedRequest {
  method?: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

type Json = Record<string, unknown>;

export const ADVOCATE_POOL = 10_000;

/**
 * Makes the n-th delivery of a run: the body is built and signed when asked
 * (about 15 µs), so a load generator can make them before its clock starts.
 * `tag` keeps runs and warm-ups apart: the same n under another tag is new.
 */
export function growsurfRewardFactory(secret: string, tag: string): (n: number) => PreparedRequest {
  const base = growsurfFixture('participant-reached-goal-referrer') as Json;
  const data = base.data as Json;
  const participant = data.participant as Json;
  const referee = participant.referee as Json;
  const reward = data.reward as Json;
  const signedAt = Date.now();
  return (n) => {
    const advocate = `adv${n % ADVOCATE_POOL}`;
    const friend = `fr-${tag}-${n}`;
    const body = JSON.stringify({
      ...base,
      createdAt: signedAt,
      data: {
        ...data,
        participant: {
          ...participant,
          id: advocate,
          email: `${advocate}@advocates.example`,
          shareUrl: `http://piedpiper.com?grsf=${advocate}`,
          referee: {
            ...referee,
            id: friend,
            email: `${friend}@friends.example`,
            shareUrl: `http://piedpiper.com?grsf=${friend}`,
          },
        },
        reward: {
          ...reward,
          id: `rw-${tag}-${n}`,
          referrerId: advocate,
          referredId: friend,
        },
      },
    });
    return {
      path: '/webhooks/growsurf',
      headers: {
        'content-type': 'application/json',
        'growsurf-signature': signGrowsurf(body, secret, signedAt),
      },
      body,
    };
  };
}

/** Wix JWT deliveries (RS256, ~1 ms each to sign): made before a pass, never on its clock. */
export function wixDeliveries(count: number, tag: string): PreparedRequest[] {
  const template = wixFixture('referral-event-created-reward') as Json;
  const prefix = Buffer.from(tag).toString('hex').padStart(8, '0').slice(-8);
  return Array.from({ length: count }, (_, n) => {
    const domainEvent = {
      ...template,
      id: `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
    };
    const { path, headers, body } = wixDelivery(domainEvent);
    return { path, headers, body: body.toString() };
  });
}
