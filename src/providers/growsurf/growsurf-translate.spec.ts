import { objectAt } from '../../ledger/json';
import { given, InMemoryProjector } from '../../projections/testing/given-when-then';
import {
  fixture,
  growsurf,
  inLogOrder,
  recorded,
  webhook,
} from '../../projections/testing/recorded-webhooks';
import { ledgerProjection } from '../../projections/rewards/ledger.projection';

const projection = ledgerProjection({ defaultCurrencies: new Map([['*', 'USD']]) });
const reward = (key: string) => ({ collection: 'reward', key: `growsurf:ct8f71:${key}` });

describe('GrowSurf into the ledger', () => {
  it.each([
    [
      'pending then approved',
      ['participant-reached-goal-pending', 'participant-reached-goal-approved'],
    ],
    [
      'approved then pending',
      ['participant-reached-goal-approved', 'participant-reached-goal-pending'],
    ],
  ])('a manually approved reward announced %s is one approved reward', (_, names) => {
    const projector = new InMemoryProjector([projection]).apply(
      ...inLogOrder(names.map((n) => growsurf(n))),
    );
    expect(projector.all('reward')).toHaveLength(1);
    expect(projector.get('reward', 'growsurf:ct8f71:k3v9pd')).toMatchObject({
      status: 'approved',
      ownerKey: 'growsurf:ct8f71:x9a7uu',
      side: 'advocate',
      kind: 'cash',
      value: { kind: 'money', amount: '25.00', currency: 'USD', currencyAssumed: false },
    });
  });

  it('records the late pending copy as superseded, not as a step back', () => {
    const projector = new InMemoryProjector([projection]).apply(
      ...inLogOrder([
        growsurf('participant-reached-goal-approved'),
        growsurf('participant-reached-goal-pending'),
      ]),
    );
    const outcomes = projector.entries
      .filter((e) => e.entityKind === 'reward')
      .map((e) => e.outcome);
    expect(outcomes).toEqual(['applied', 'superseded']);
  });

  it('ends in the same documents whichever copy of the pair arrives first', () => {
    const [pending, approved] = [
      growsurf('participant-reached-goal-pending'),
      growsurf('participant-reached-goal-approved'),
    ];
    const a = new InMemoryProjector([projection]).apply(...inLogOrder([pending, approved]));
    const b = new InMemoryProjector([projection]).apply(...inLogOrder([approved, pending]));
    expect(a.snapshot()).toBe(b.snapshot());
  });

  it('keeps the two sides of a double-sided reward as two rewards, one per participant', () => {
    const projector = new InMemoryProjector([projection]).apply(
      ...inLogOrder([
        growsurf('participant-reached-goal-approved'),
        growsurf('participant-reached-goal-referee'),
      ]),
    );
    expect(projector.get('reward', 'growsurf:ct8f71:m7q2ta')).toMatchObject({
      ownerKey: 'growsurf:ct8f71:uxjbxu',
      side: 'friend',
      value: { amount: '10.00', currency: 'USD' },
    });
    expect(projector.get('referral', 'growsurf:ct8f71:uxjbxu')).toMatchObject({
      advocateKey: 'growsurf:ct8f71:x9a7uu',
      friendKey: 'growsurf:ct8f71:uxjbxu',
      status: 'approved',
    });
  });

  it.each([
    [
      'an advocate reward names the friend',
      'participant-reached-goal-approved',
      'uxjbxu',
      'i_was_referred@somesite.com',
      'Billy Smith',
    ],
    [
      'a friend reward names the advocate',
      'participant-reached-goal-referee',
      'x9a7uu',
      'richard@piedpiper.com',
      'Richard Hendricks',
    ],
  ])(
    'makes the other party of a reward event a participant when %s',
    (_, name, other, email, fullName) => {
      given([projection])
        .when(recorded(growsurf(name), 1n))
        .then(
          { collection: 'participant', key: `growsurf:ct8f71:${other}` },
          { providerId: other, email, name: fullName, campaignKeys: ['growsurf:ct8f71:ct8f71'] },
        );
    },
  );

  it('makes a referred id without a referee object a participant with only its id', () => {
    const event = growsurf('participant-reached-goal-referrer');
    const projector = new InMemoryProjector([projection]).apply(recorded(event, 1n));
    // The seed example names referee uxjbxu but credits referredId ad3dfa: both are participants.
    expect(projector.get('referral', 'growsurf:ct8f71:ad3dfa')).toMatchObject({
      friendKey: 'growsurf:ct8f71:ad3dfa',
    });
    expect(projector.get('participant', 'growsurf:ct8f71:ad3dfa')).toMatchObject({
      providerId: 'ad3dfa',
      email: null,
    });
    expect(projector.get('participant', 'growsurf:ct8f71:uxjbxu')).toMatchObject({
      email: 'i_was_referred@somesite.com',
    });
  });

  it('records a reward without amount as a coupon when it carries a coupon code, with no money', () => {
    given([projection])
      .when(recorded(growsurf('participant-reached-goal-referrer'), 1n))
      .then(reward('ccm2ue'), {
        kind: 'coupon',
        couponCode: 'PROMO_20_OFF',
        value: { kind: 'none' },
      });
  });

  it('creates a pending referral when a referred participant is added', () => {
    given([projection])
      .when(recorded(growsurf('new-participant-referred'), 1n))
      .then(
        { collection: 'referral', key: 'growsurf:ct8f71:p88y0a' },
        {
          advocateKey: 'growsurf:ct8f71:x9a7uu',
          friendKey: 'growsurf:ct8f71:p88y0a',
          campaignKey: 'growsurf:ct8f71:ct8f71',
          status: 'pending',
        },
      );
  });

  it('keeps the fraud status of the latest observation, whatever the arrival order', () => {
    const fraud = growsurf('fraud-status-updated');
    const goal = growsurf('participant-reached-goal-referee');
    for (const order of [
      [fraud, goal],
      [goal, fraud],
    ]) {
      given([projection], inLogOrder(order))
        .when()
        .then(
          { collection: 'participant', key: 'growsurf:ct8f71:uxjbxu' },
          { fraud: { level: 'HIGH', reasonCode: 'SAME_IP_ADDRESS', observedAt: 1659475000000 } },
        );
    }
  });

  it('ends the campaign, records its winners and its reward configuration', () => {
    const projector = given([projection])
      .when(recorded(growsurf('campaign-ended'), 1n))
      .then(
        { collection: 'campaign', key: 'growsurf:ct8f71:ct8f71' },
        {
          status: 'ended',
          endedAt: 1533532422153,
          winners: ['growsurf:ct8f71:x9a7uu'],
          providerCounts: {
            participantCount: 5661,
            referralCount: 1673,
            winnerCount: 1673,
            impressionCount: 11075,
          },
        },
      );
    expect(projector.get('campaign', 'growsurf:ct8f71:ct8f71')?.rewardConfig).toEqual([
      expect.objectContaining({ id: 'xlj123', couponCode: 'PROMO_20_OFF' }),
    ]);
    expect(projector.get('participant', 'growsurf:ct8f71:x9a7uu')).toMatchObject({
      isWinner: true,
    });
  });

  it('reports a NEW_PARTICIPANT_ADDED with the participant nested under data.participant as not understood, projecting nothing', () => {
    const flat = fixture('growsurf', 'new-participant-referred');
    const { campaign, ...participant } = objectAt(flat, 'data') ?? {};
    const nested = { ...flat, data: { participant, campaign: campaign ?? null } };
    const event = webhook('growsurf', 'NEW_PARTICIPANT_ADDED', nested, { tenantId: 'ct8f71' });
    const projector = new InMemoryProjector([projection]).apply(recorded(event, 1n));
    expect(projector.notUnderstood).toEqual([
      expect.objectContaining({
        projection: 'ledger',
        position: 1n,
        reason: expect.stringMatching(/data\.id/),
      }),
    ]);
    expect(projector.documents.size).toBe(0);
  });

  it('reports a reward event whose participant has no id as not understood', () => {
    const goal = growsurf('participant-reached-goal-approved');
    const data = objectAt(goal.payload, 'data') ?? {};
    const { id: _id, ...anonymous } = objectAt(data, 'participant') ?? {};
    const event = {
      ...goal,
      payload: { ...goal.payload, data: { ...data, participant: anonymous } },
    };
    const projector = new InMemoryProjector([projection]).apply(recorded(event, 1n));
    expect(projector.notUnderstood).toEqual([expect.objectContaining({ position: 1n })]);
    expect(projector.documents.size).toBe(0);
  });

  it("records only the reward with a malformed amount as a problem; the delivery's other changes apply", () => {
    const goal = growsurf('participant-reached-goal-approved');
    const data = objectAt(goal.payload, 'data') ?? {};
    const reward = { ...objectAt(data, 'reward'), amount: '25.999' };
    const event = { ...goal, payload: { ...goal.payload, data: { ...data, reward } } };
    const projector = new InMemoryProjector([projection]).apply(recorded(event, 1n));
    expect(projector.notUnderstood).toEqual([
      expect.objectContaining({ position: 1n, reason: expect.stringContaining('k3v9pd') }),
    ]);
    expect(projector.all('reward')).toEqual([]);
    expect(projector.get('participant', 'growsurf:ct8f71:x9a7uu')).toBeDefined();
    expect(projector.get('campaign', 'growsurf:ct8f71:ct8f71')).toBeDefined();
    expect(projector.get('referral', 'growsurf:ct8f71:uxjbxu')).toMatchObject({
      status: 'approved',
    });
  });

  it('counts affiliate events it cannot read as not understood, and throws nothing', () => {
    const event = growsurf('fraud-status-updated', { dedupeKey: 'commission' });
    const commission = { ...event, providerEventType: 'NEW_COMMISSION_ADDED' };
    const projector = new InMemoryProjector([projection]).apply(recorded(commission, 1n));
    expect(projector.notUnderstood).toEqual([expect.objectContaining({ position: 1n })]);
    expect(projector.documents.size).toBe(0);
  });
});
