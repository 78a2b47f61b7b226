/**
 * A reward whose amount cannot be read as money (more decimals than the
 * currency has) is one problem of its delivery, not the delivery's failure:
 * the participant, the referral and the campaign it also announces are
 * projected, and the reward is listed with the reason. Embedded log: the rule
 * is the projection's.
 */
import { growsurfDelivery, growsurfFixture } from '../support/deliveries';
import { get, post } from '../support/http';
import { startApp, type RunningApp } from '../support/start-app';
import { TEST_SECRETS } from '../support/test-secrets';

const read = { authorization: `Bearer ${TEST_SECRETS.readApiKey}` };
const admin = { authorization: `Bearer ${TEST_SECRETS.adminApiKey}` };

type Json = Record<string, unknown>;

function rewardWithAmount(amount: string): Json {
  const body = growsurfFixture('participant-reached-goal-approved') as Json;
  const data = body.data as Json;
  return { ...body, data: { ...data, reward: { ...(data.reward as Json), amount } } };
}

describe('a reward with a malformed amount (embedded log)', () => {
  let app: RunningApp;
  let answer: { status: number; body: Json };
  const query = (path: string) =>
    get(app.url, `${path}?atPosition=${String(answer.body.position)}`, read);

  beforeAll(async () => {
    app = await startApp();
    answer = await post(app.url, growsurfDelivery(rewardWithAmount('25.999')));
    expect(answer.status).toBe(200);
  });
  afterAll(() => app.dispose());

  it("projects the delivery's participant, referral and campaign without the reward", async () => {
    const advocate = await query('/participants/growsurf/ct8f71/x9a7uu');
    expect(advocate.status).toBe(200);
    expect(advocate.body).toMatchObject({
      participant: { email: 'richard@piedpiper.com' },
      advocate: { referrals: { total: 1, approved: 1 }, balances: [] },
      rewards: [],
    });
    expect((await query('/campaigns/growsurf/ct8f71/ct8f71')).status).toBe(200);
  });

  it('lists the reward as the one problem of the delivery, which did not fail', async () => {
    const status = await get(app.url, '/projections/status', admin);
    const ledger = (status.body.projections as Json[]).find((p) => p.projection === 'ledger');
    expect(ledger).toMatchObject({ failed: '0', errors: [] });
    const problems = await get(app.url, '/projections/not-understood', admin);
    expect(problems.body.items).toEqual([
      expect.objectContaining({
        projection: 'ledger',
        eventId: answer.body.eventId,
        message: expect.stringMatching(/k3v9pd.*25\.999/) as unknown,
      }),
    ]);
  });
});
