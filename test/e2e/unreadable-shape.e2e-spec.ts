/**
 * A verified delivery of a known event type in a shape the projection cannot
 * read is accepted (the intake only knows the type) and then reported by the
 * projection that could not read it: counted not understood in the status and
 * listed with its reason, never silently projected as nothing (or as a
 * participant without an id). The rule is the projection's: the embedded log is enough.
 */
import { growsurfDelivery, growsurfFixture } from '../support/deliveries';
import { get, post } from '../support/http';
import { startApp, type RunningApp } from '../support/start-app';
import { TEST_SECRETS } from '../support/test-secrets';

const read = { authorization: `Bearer ${TEST_SECRETS.readApiKey}` };
const admin = { authorization: `Bearer ${TEST_SECRETS.adminApiKey}` };

type Json = Record<string, unknown>;

/** GrowSurf's NEW_PARTICIPANT_ADDED with the participant moved under `data.participant`. */
function nestedNewParticipant(): Json {
  const flat = growsurfFixture('new-participant-referred') as Json;
  const { campaign, ...participant } = flat.data as Json;
  return { ...flat, data: { participant, campaign } };
}

describe('a known event type in a shape the projection cannot read (embedded log)', () => {
  let app: RunningApp;
  let answer: { status: number; body: Json };

  beforeAll(async () => {
    app = await startApp();
    answer = await post(app.url, growsurfDelivery(nestedNewParticipant()));
    const position = String(answer.body.position);
    expect((await get(app.url, `/campaigns?atPosition=${position}`, read)).status).toBe(200);
  });
  afterAll(() => app.dispose());

  it('is recorded: the intake knows the event type', () => {
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'recorded', understood: true });
  });

  it('is counted not understood by the ledger projection and listed with its reason', async () => {
    const status = await get(app.url, '/projections/status', admin);
    const ledger = (status.body.projections as Json[]).find((p) => p.projection === 'ledger');
    expect(ledger).toMatchObject({ notUnderstood: '1', failed: '0' });

    const problems = await get(app.url, '/projections/not-understood', admin);
    expect(problems.body.items).toEqual([
      expect.objectContaining({
        projection: 'ledger',
        position: String(answer.body.position),
        eventId: answer.body.eventId,
        eventType: 'growsurf.NEW_PARTICIPANT_ADDED',
        message: expect.stringContaining('data.id') as unknown,
      }),
    ]);
  });

  it('projects no participant and no campaign from it', async () => {
    const campaigns = await get(app.url, '/campaigns', read);
    expect(campaigns.body).toMatchObject({ items: [], total: 0 });
    expect((await get(app.url, '/participants/growsurf/ct8f71/-', read)).status).toBe(404);
  });
});
