import { randomInt } from 'node:crypto';
import {
  growsurfDelivery,
  growsurfFixture,
  refirDelivery,
  standardDelivery,
  talkableDelivery,
  talkableFixture,
  uniqueGrowsurfReward,
  wixDelivery,
  wixFixture,
} from '../support/deliveries';
import { post, tamperBody, tamperPath, type HttpDelivery } from '../support/http';
import { recordedDeliveries, storeOf } from '../support/log';
import { describeOnEachLog } from '../support/logs';
import { startApp, type RunningApp } from '../support/start-app';

interface ProviderCase {
  readonly provider: string;
  readonly seedExample: () => HttpDelivery;
  /** Where one changed byte must break verification (Talkable legacy signs nothing but its key). */
  readonly tamper?: (delivery: HttpDelivery) => HttpDelivery;
}

/** The `key` form field comes first: change a byte inside it. */
const tamperTalkableKey = (delivery: HttpDelivery): HttpDelivery =>
  tamperBody(delivery, 'key=test-talkable-'.length);

const cases: ProviderCase[] = [
  { provider: 'wix', seedExample: () => wixDelivery(wixFixture('referral-event-created-reward')) },
  {
    provider: 'wix (reviews)',
    seedExample: () => wixDelivery(wixFixture('review-request-created')),
  },
  {
    provider: 'talkable',
    seedExample: () => talkableDelivery(talkableFixture('referral-approved')),
    tamper: tamperTalkableKey,
  },
  {
    provider: 'growsurf',
    seedExample: () => growsurfDelivery(growsurfFixture('participant-reached-goal-referrer')),
  },
  {
    provider: 'refir',
    seedExample: () =>
      refirDelivery({
        event: 'referral',
        lead: { email: 'friend@example.com' },
        referrer: { email: 'advocate@example.com' },
        message: 'new lead',
      }),
    tamper: tamperPath,
  },
  {
    provider: 'standard webhooks',
    seedExample: () =>
      standardDelivery(
        { type: 'referral.created', data: { referrerId: 'r-1', friendId: 'f-1' } },
        'msg_seed_1',
      ),
  },
];

/** A real server is shared by the run, and other suites deliver the same seed fixtures. */
const ownLog = { needsOwnLog: 'counts recordings of seed fixtures that other suites deliver too' };

describeOnEachLog('webhook intake over HTTP', ownLog, (log) => {
  let app: RunningApp;
  beforeAll(async () => (app = await startApp({ log })));
  afterAll(() => app.dispose());

  /** Reward ids of this suite's storm: unlike the seed fixtures, never delivered before. */
  const stormBase = randomInt(1, 2 ** 30) * 10_000;
  const countFor = async (eventId: string): Promise<number> =>
    (await recordedDeliveries(storeOf(app))).filter((event) => event.id === eventId).length;

  describe.each(cases)(
    '$provider',
    ({ seedExample, tamper = (delivery) => tamperBody(delivery) }) => {
      it('records the signed seed example once, and ten replays still once', async () => {
        const delivery = seedExample();
        const first = await post(app.url, delivery);
        expect(first.status).toBe(200);
        expect(first.body).toMatchObject({ status: 'recorded' });
        const eventId = first.body.eventId as string;
        for (let replay = 0; replay < 10; replay++) {
          const again = await post(app.url, delivery);
          expect(again.status).toBe(200);
          expect(again.body).toMatchObject({
            status: 'duplicate',
            eventId,
            position: first.body.position,
          });
        }
        expect(await countFor(eventId)).toBe(1);
      });

      it('refuses the seed example tampered by one byte with 401 and records nothing', async () => {
        const before = (await recordedDeliveries(storeOf(app))).length;
        const answer = await post(app.url, tamper(seedExample()));
        expect(answer.status).toBe(401);
        expect(answer.headers.get('content-type')).toContain('application/problem+json');
        expect((await recordedDeliveries(storeOf(app))).length).toBe(before);
      });
    },
  );

  it('records 50 concurrent copies of one delivery exactly once', async () => {
    const delivery = growsurfDelivery(growsurfFixture('participant-reached-goal-referee'));
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(app.url, delivery)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
    expect(answers.filter((answer) => answer.body.status === 'recorded')).toHaveLength(1);
    const eventIds = new Set(answers.map((answer) => answer.body.eventId));
    expect(eventIds.size).toBe(1);
    expect(await countFor([...eventIds][0] as string)).toBe(1);
  });

  it('records each of 10 deliveries once when 20 copies of each arrive at the same time, answering every copy 200', async () => {
    const deliveries = Array.from({ length: 10 }, (_, n) =>
      growsurfDelivery(uniqueGrowsurfReward(stormBase + n)),
    );
    const answers = await Promise.all(
      deliveries.flatMap((delivery) =>
        Array.from({ length: 20 }, async () => post(app.url, delivery)),
      ),
    );
    expect(answers.filter((answer) => answer.status !== 200).map((answer) => answer.text)).toEqual(
      [],
    );
    expect(answers.filter((answer) => answer.body.status === 'recorded')).toHaveLength(10);
    const eventIds = new Set(answers.map((answer) => answer.body.eventId as string));
    expect(eventIds.size).toBe(10);
    const recorded = await recordedDeliveries(storeOf(app));
    for (const eventId of eventIds)
      expect(recorded.filter((event) => event.id === eventId)).toHaveLength(1);
  });

  it("answers Talkable's unsubscribe check from the unsubscribes recorded so far", async () => {
    const check = talkableFixture('check-unsubscribe') as { payload: Record<string, unknown> };
    const before = await post(app.url, talkableDelivery(check));
    expect(before.body).toMatchObject({ status: 'recorded', unsubscribed: false });
    expect((await post(app.url, talkableDelivery(talkableFixture('unsubscribe')))).status).toBe(
      200,
    );
    const after = await post(
      app.url,
      talkableDelivery({
        ...check,
        payload: { ...check.payload, email_type: 'advocate_rewards_paid' },
      }),
    );
    expect(after.body).toMatchObject({ status: 'recorded', unsubscribed: true });
    const otherRecipient = { ...check.payload, recipient: { email: 'someone.else@example.com' } };
    expect(
      (await post(app.url, talkableDelivery({ ...check, payload: otherRecipient }))).body,
    ).toMatchObject({
      unsubscribed: false,
    });
  });

  it('records a verified delivery of an unknown event type and says it is not understood yet', async () => {
    const answer = await post(
      app.url,
      growsurfDelivery({
        event: 'PARTICIPANT_DID_SOMETHING_NEW',
        createdAt: 1700000000000,
        data: { id: 'zz1' },
      }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'recorded', understood: false });
  });

  it('answers 400 naming the line and column for the malformed seed originals, recording nothing', async () => {
    const before = (await recordedDeliveries(storeOf(app))).length;
    const originals = [
      growsurfDelivery(growsurfFixture('malformed/new-participant-added-seed', 'raw')),
      growsurfDelivery(growsurfFixture('malformed/campaign-ended-seed', 'raw')),
      talkableDelivery(talkableFixture('malformed/referral-approved-seed', 'raw')),
      wixDelivery(wixFixture('malformed/review-request-created-seed', 'raw')),
    ];
    for (const original of originals) {
      const answer = await post(app.url, original);
      expect(answer.status).toBe(400);
      expect(answer.body.detail).toMatch(/line \d+, column \d+/);
    }
    expect((await recordedDeliveries(storeOf(app))).length).toBe(before);
  });

  it('refuses a JSON provider sent as text/plain with 415', async () => {
    const delivery = growsurfDelivery(growsurfFixture('new-participant-referred'));
    const answer = await post(app.url, {
      ...delivery,
      headers: { ...delivery.headers, 'content-type': 'text/plain' },
    });
    expect(answer.status).toBe(415);
  });

  it('refuses a body over the limit with 413', async () => {
    const huge = {
      event: 'NEW_PARTICIPANT_ADDED',
      createdAt: 1,
      data: { id: 'big', notes: 'x'.repeat(1_100_000) },
    };
    const answer = await post(app.url, growsurfDelivery(huge));
    expect(answer.status).toBe(413);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
  });

  it('records a large delivery under the body limit, or refuses it for good with 413: never a 503 the provider retries forever', async () => {
    // ~700 KB: under the 1 MiB body limit, over half of EventStoreDB's 1 MiB append limit (up to 25.0).
    const large = {
      event: 'NEW_PARTICIPANT_ADDED',
      createdAt: 1,
      data: { id: `large-${log.name.replace(/\W/g, '-')}`, notes: 'x'.repeat(700_000) },
    };
    const delivery = growsurfDelivery(large);
    const answer = await post(app.url, delivery);
    expect(answer.status).not.toBe(503);
    if (log.name === 'sqlite') expect(answer.status).toBe(200);
    if (answer.status === 200) {
      expect(answer.body).toMatchObject({ status: 'recorded' });
      expect(await countFor(answer.body.eventId as string)).toBe(1);
    } else {
      expect(answer.status).toBe(413);
      const retry = await post(app.url, delivery);
      expect(retry.status).toBe(413);
    }
  });

  it('refuses signed bodies that are not UTF-8, nest too deep, or carry prototype keys with 400', async () => {
    const invalidUtf8 = Buffer.concat([
      Buffer.from('{"event":"NEW_PARTICIPANT_ADDED","data":{"id":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}}'),
    ]);
    const deep = `{"event":"NEW_PARTICIPANT_ADDED","data":${'{"a":'.repeat(200)}1${'}'.repeat(200)}}`;
    const proto =
      '{"event":"NEW_PARTICIPANT_ADDED","createdAt":1,"data":{"id":"p","__proto__":{"polluted":true}}}';
    for (const body of [invalidUtf8, deep, proto]) {
      const answer = await post(app.url, growsurfDelivery(body));
      expect(answer.status).toBe(400);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers 503 with Retry-After and records nothing when the store is unavailable', async () => {
    const broken = await startApp({ log });
    try {
      await storeOf(broken).close();
      const answer = await post(broken.url, growsurfDelivery(growsurfFixture('campaign-ended')));
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await broken.dispose();
    }
  });
});

describeOnEachLog('webhook intake without provider secrets', ownLog, (log) => {
  let app: RunningApp;
  beforeAll(
    async () =>
      (app = await startApp({
        log,
        env: {
          WIX_APP_PUBLIC_KEY: '',
          TALKABLE_WEBHOOK_KEY: '',
          GROWSURF_WEBHOOK_SECRET: '',
          REFIR_WEBHOOK_TOKEN: '',
          STANDARD_WEBHOOK_SOURCES: '',
        },
      })),
  );
  afterAll(() => app.dispose());

  it.each([
    ['wix', () => wixDelivery(wixFixture('referral-event-created-reward')), 'WIX_APP_PUBLIC_KEY'],
    [
      'talkable',
      () => talkableDelivery(talkableFixture('referral-approved')),
      'TALKABLE_WEBHOOK_KEY',
    ],
    [
      'growsurf',
      () => growsurfDelivery(growsurfFixture('campaign-ended')),
      'GROWSURF_WEBHOOK_SECRET',
    ],
    ['refir', () => refirDelivery({ lead: { email: 'a@example.com' } }), 'REFIR_WEBHOOK_TOKEN'],
    [
      'standard',
      () => standardDelivery({ type: 'x' }, 'msg_unconfigured'),
      'STANDARD_WEBHOOK_SOURCES',
    ],
  ])(
    'answers %s with 503 naming %s, so the provider retries',
    async (_name, delivery, variable) => {
      const answer = await post(app.url, delivery());
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(answer.body.detail).toContain(variable);
      expect(await recordedDeliveries(storeOf(app))).toHaveLength(0);
    },
  );
});
