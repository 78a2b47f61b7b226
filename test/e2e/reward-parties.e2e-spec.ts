/**
 * Both parties of a GrowSurf reward event are participants: the event names the
 * other party (`participant.referee` / `participant.referrer`, `reward.referredId`
 * / `reward.referrerId`), and a friend `/referrals` lists must have a page of its own.
 * The rule is the projection's, not the log's: the embedded log is enough.
 */
import { growsurfDelivery, growsurfFixture } from '../support/deliveries';
import { get, post } from '../support/http';
import { startApp, type RunningApp } from '../support/start-app';
import { TEST_SECRETS } from '../support/test-secrets';

const read = { authorization: `Bearer ${TEST_SECRETS.readApiKey}` };

describe('the parties of a GrowSurf reward event (embedded log)', () => {
  let app: RunningApp;
  let position = '0';

  beforeAll(async () => {
    app = await startApp();
    // Only the advocate's reward: nothing else ever names the friend uxjbxu.
    const answer = await post(
      app.url,
      growsurfDelivery(growsurfFixture('participant-reached-goal-approved')),
    );
    expect(answer.status).toBe(200);
    position = answer.body.position as string;
  });
  afterAll(() => app.dispose());

  const query = (path: string) =>
    get(app.url, `${path}${path.includes('?') ? '&' : '?'}atPosition=${position}`, read);

  it('answers the participant page of a friend that /referrals lists, known only from a reward event', async () => {
    const referrals = await query('/referrals?campaign=growsurf:ct8f71:ct8f71');
    expect(referrals.status).toBe(200);
    expect(referrals.body.items).toEqual([
      expect.objectContaining({ friendKey: 'growsurf:ct8f71:uxjbxu', status: 'approved' }),
    ]);

    const friend = await query('/participants/growsurf/ct8f71/uxjbxu');
    expect(friend.status).toBe(200);
    expect(friend.body).toMatchObject({
      participant: { email: 'i_was_referred@somesite.com', name: 'Billy Smith' },
      advocate: {
        referrals: { total: 0, pending: 0, approved: 0, voided: 0, other: 0 },
        balances: [],
      },
      friend: { referredBy: [expect.objectContaining({ advocateKey: 'growsurf:ct8f71:x9a7uu' })] },
      rewards: [],
    });
  });

  it("counts the friend's referral and the reward on the advocate's page", async () => {
    const advocate = await query('/participants/growsurf/ct8f71/x9a7uu');
    expect(advocate.status).toBe(200);
    expect(advocate.body).toMatchObject({
      advocate: {
        referrals: { total: 1, approved: 1 },
        balances: [expect.objectContaining({ currency: 'USD', approved: '25.00' })],
      },
    });
  });
});
