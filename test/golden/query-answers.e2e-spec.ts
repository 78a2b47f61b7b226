/**
 * Every query answer, byte for byte, for one fixed history on the embedded log:
 * moving code between folders must not change a single byte a user reads.
 * `GOLDEN_UPDATE=1` rewrites the file, for a change that means to alter answers
 * (say so in its commit).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  growsurfDelivery,
  growsurfFixture,
  talkableDelivery,
  talkableFixture,
  wixDelivery,
  wixFixture,
} from '../support/deliveries';
import { get, post, type HttpDelivery } from '../support/http';
import { startApp, type RunningApp } from '../support/start-app';
import { TEST_SECRETS } from '../support/test-secrets';

const GOLDEN_FILE = join(__dirname, 'query-answers.golden.json');
const RECEIVED_AT = new Date('2026-06-01T12:00:00.000Z');
const read = { authorization: `Bearer ${TEST_SECRETS.readApiKey}` };
const admin = { authorization: `Bearer ${TEST_SECRETS.adminApiKey}` };

const GROWSURF = [
  'new-participant-referred',
  'participant-reached-goal-pending',
  'participant-reached-goal-approved',
  'participant-reached-goal-referee',
  'participant-reached-goal-referrer',
  'fraud-status-updated',
  'campaign-ended',
];
const TALKABLE = [
  'referral-approved',
  'reward-unpaid',
  'reward-paid',
  'reward-voided',
  'unsubscribe',
];
const WIX = [
  'referring-customer-created',
  'referred-friend-created',
  'referred-friend-updated',
  'referral-event-action',
  'referral-event-friend-signup',
  'referral-event-successful-referral',
  'referral-event-created-reward',
  'referral-event-reward-points',
  'program-updated',
  'review-request-created',
  'review-request-updated',
  'review-request-deleted',
];

/** Built with the clock held at RECEIVED_AT, so signatures and their timestamps never vary. */
function history(): HttpDelivery[] {
  const now = jest.spyOn(Date, 'now').mockReturnValue(RECEIVED_AT.getTime());
  try {
    return [
      ...GROWSURF.map((name) =>
        growsurfDelivery(growsurfFixture(name), { timestampMs: RECEIVED_AT.getTime() }),
      ),
      ...TALKABLE.map((name) => talkableDelivery(talkableFixture(name))),
      ...WIX.map((name) => wixDelivery(wixFixture(name))),
    ];
  } finally {
    now.mockRestore();
  }
}

const QUERIES = [
  '/participants?email=referrer@example.com',
  '/participants/growsurf/ct8f71/x9a7uu',
  '/participants/growsurf/ct8f71/uxjbxu',
  '/participants/growsurf/ct8f71/x9a7uu/rewards',
  '/participants/growsurf/ct8f71/x9a7uu/history',
  '/participants/growsurf/ct8f71/x9a7uu/explain',
  '/participants/talkable/test-site/referrer@example.com',
  '/participants/talkable/test-site/referrer@example.com/rewards',
  '/participants/talkable/test-site/referrer@example.com/history',
  '/campaigns',
  '/campaigns/growsurf/ct8f71/ct8f71',
  '/campaigns/growsurf/ct8f71/ct8f71/leaderboard',
  '/campaigns/growsurf/ct8f71/ct8f71/referrals-by-day',
  '/referrals',
  '/referrals?campaign=growsurf:ct8f71:ct8f71',
  '/review-requests/e2e-instance-1',
  '/review-requests/e2e-instance-1/15f470a4-a960-43bb-b1ed-886e1050efcd',
];
const ADMIN_QUERIES = ['/projections/not-understood'];

describe('query answers for a fixed history (golden, embedded log)', () => {
  let app: RunningApp;
  let lastPosition = '0';
  const answers: Record<string, { status: number; body: string }> = {};

  beforeAll(async () => {
    app = await startApp({ clock: { now: () => RECEIVED_AT } });
    for (const delivery of history()) {
      const answer = await post(app.url, delivery);
      expect(answer.status).toBe(200);
      lastPosition = answer.body.position as string;
    }
  });
  afterAll(() => app.dispose());

  it('answers every query with the same status and bytes as the golden file', async () => {
    for (const path of [...QUERIES, ...ADMIN_QUERIES]) {
      // Admin routes answer from the log's head and take no position.
      const answer = ADMIN_QUERIES.includes(path)
        ? await get(app.url, path, admin)
        : await get(
            app.url,
            `${path}${path.includes('?') ? '&' : '?'}atPosition=${lastPosition}`,
            read,
          );
      // A problem's request id is new on every request; every other byte is compared.
      answers[path] = {
        status: answer.status,
        body: answer.text.replace(/"requestId":"[^"]*"/, '"requestId":"<per request>"'),
      };
    }
    if (process.env.GOLDEN_UPDATE === '1') {
      writeFileSync(GOLDEN_FILE, `${JSON.stringify(answers, null, 2)}\n`);
    }
    const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as typeof answers;
    expect(Object.keys(answers)).toEqual(Object.keys(golden));
    for (const path of Object.keys(golden)) {
      expect({ [path]: answers[path] }).toEqual({ [path]: golden[path] });
    }
  });
});
