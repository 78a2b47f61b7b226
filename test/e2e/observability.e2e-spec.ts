/**
 * Logs and metrics of the real application (startApp, embedded log): every
 * line on stdout is one JSON object; each request has an access line with its
 * request id (the caller's when sane, returned as x-request-id and in problem
 * answers); webhook lines name provider, outcome and event id; no line holds
 * a secret, a body or Refir's token. /metrics needs the admin key and its
 * counters move with the deliveries posted.
 */
import { growsurfDelivery, refirDelivery, uniqueGrowsurfReward } from '../support/deliveries';
import { startEsdbEmulator, type EsdbEmulator } from '../support/esdb-emulator';
import { get, post, tamperBody, type HttpDelivery } from '../support/http';
import { startApp, type RunningApp } from '../support/start-app';
import { TEST_SECRETS } from '../support/test-secrets';

interface LogLine {
  readonly level: string;
  readonly time: number;
  readonly msg: string;
  readonly reqId?: string;
  readonly route?: string | null;
  readonly status?: number;
  readonly provider?: string;
  readonly outcome?: string;
  readonly eventId?: string;
  readonly context?: string;
  readonly stack?: string;
}

const admin = { authorization: `Bearer ${TEST_SECRETS.adminApiKey}` };
const read = { authorization: `Bearer ${TEST_SECRETS.readApiKey}` };
/** Written into bodies: a log line that holds it logged a body. */
const BODY_MARKER = 'obs-body-marker-7d1c';

function withRequestId(delivery: HttpDelivery, id: string): HttpDelivery {
  return { ...delivery, headers: { ...delivery.headers, 'x-request-id': id } };
}

/** The value of one sample line of the exposition, 0 when absent. */
function sample(metrics: string, name: string, labels: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('logs and metrics of the service', () => {
  let app: RunningApp;
  const written: string[] = [];
  let restore: () => void = () => undefined;

  beforeAll(async () => {
    const original = process.stdout.write.bind(process.stdout) as (
      chunk: string | Uint8Array,
      ...rest: unknown[]
    ) => boolean;
    const spy = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
        written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return original(chunk, ...rest);
      });
    restore = () => spy.mockRestore();
    app = await startApp({ env: { LOG_LEVEL: 'log', LOG_FORMAT: 'json' } });
  });
  afterAll(async () => {
    restore();
    await app.dispose();
  });

  const lines = (): LogLine[] =>
    written
      .join('')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LogLine);
  const accessLine = (reqId: string): LogLine | undefined =>
    lines().find((line) => line.reqId === reqId && line.msg === 'request');
  /** The access line is written when the answer has gone out: allow it a moment. */
  const waitForAccessLine = async (reqId: string): Promise<LogLine> => {
    for (let i = 0; i < 50; i++) {
      const line = accessLine(reqId);
      if (line !== undefined) return line;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no access line for ${reqId}`);
  };

  it('writes JSON lines, projection and store state included', () => {
    const all = lines(); // throws on any line that is not JSON
    expect(all.length).toBeGreaterThan(0);
    for (const line of all) {
      expect(typeof line.level).toBe('string');
      expect(typeof line.time).toBe('number');
    }
    expect(
      all.some((line) => line.context === 'Projections' && line.msg.startsWith('projections')),
    ).toBe(true);
    // Nest's boot chatter (modules loaded, routes mapped) is debug, not info.
    expect(all.some((line) => line.context === 'RouterExplorer')).toBe(false);
  });

  it('keeps a sane x-request-id, returns it, and logs the delivery with provider, outcome and event id', async () => {
    const delivery = growsurfDelivery(uniqueGrowsurfReward(1));
    const first = await post(app.url, withRequestId(delivery, 'obs-first-1'));
    expect(first.status).toBe(200);
    expect(first.headers.get('x-request-id')).toBe('obs-first-1');
    expect(await waitForAccessLine('obs-first-1')).toMatchObject({
      level: 'info',
      route: '/webhooks/growsurf',
      status: 200,
      provider: 'growsurf',
      outcome: 'recorded',
      eventId: first.body.eventId,
    });
    const again = await post(app.url, withRequestId(delivery, 'obs-again-1'));
    expect(again.body.status).toBe('duplicate');
    expect(await waitForAccessLine('obs-again-1')).toMatchObject({
      outcome: 'duplicate',
      eventId: first.body.eventId,
    });
  });

  it('replaces an id that is not sane with a fresh one', async () => {
    for (const bad of ['has spaces in it', 'x'.repeat(65), 'quote"and{brace}']) {
      const answer = await get(app.url, '/referrals', { ...read, 'x-request-id': bad });
      const id = answer.headers.get('x-request-id') ?? '';
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(JSON.stringify(lines())).not.toContain(bad);
    }
  });

  it('puts the request id in problem answers and logs a refusal at info without a stack', async () => {
    const forged = tamperBody(growsurfDelivery(uniqueGrowsurfReward(2)));
    const refused = await post(app.url, withRequestId(forged, 'obs-forged-1'));
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.requestId).toBe('obs-forged-1');
    expect(refused.headers.get('x-request-id')).toBe('obs-forged-1');
    const line = await waitForAccessLine('obs-forged-1');
    expect(line).toMatchObject({
      level: 'info',
      provider: 'growsurf',
      outcome: 'refused',
      status: 401,
    });
    expect(line.eventId).toBeUndefined();
    expect(line.stack).toBeUndefined();

    const bad = await get(app.url, '/referrals?offset=1e25', read);
    expect(bad.status).toBe(400);
    expect(bad.body.requestId).toBe(bad.headers.get('x-request-id'));
    const unrouted = await get(app.url, `/nowhere/${TEST_SECRETS.refirToken}`);
    expect(unrouted.status).toBe(404);
    expect(typeof unrouted.body.requestId).toBe('string');
  });

  it('logs the route pattern of a Refir delivery, never its token, a secret or a body', async () => {
    const delivery = withRequestId(
      refirDelivery({ type: 'referral.created', data: { id: BODY_MARKER } }),
      'obs-refir-1',
    );
    expect((await post(app.url, delivery)).status).toBe(200);
    const wrongToken = refirDelivery({ note: BODY_MARKER }, `${TEST_SECRETS.refirToken}x`);
    expect((await post(app.url, withRequestId(wrongToken, 'obs-refir-2'))).status).toBe(401);
    await get(app.url, '/metrics', { 'x-api-key': TEST_SECRETS.adminApiKey });
    expect(await waitForAccessLine('obs-refir-1')).toMatchObject({
      route: '/webhooks/refir/:token',
      provider: 'refir',
      outcome: 'recorded',
    });
    expect(await waitForAccessLine('obs-refir-2')).toMatchObject({ outcome: 'refused' });
    const everything = written.join('');
    for (const secret of [...Object.values(TEST_SECRETS), BODY_MARKER]) {
      if (secret === TEST_SECRETS.standardSource) continue; // a source name, not a secret
      expect(everything).not.toContain(secret);
    }
  });

  it('/metrics needs the admin key', async () => {
    const none = await get(app.url, '/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect((await get(app.url, '/metrics', read)).status).toBe(403);
    const scraped = await fetch(`${app.url}/metrics`, { headers: admin });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toContain('text/plain');
  });

  it('/metrics counters move as deliveries are posted, and show commits, projections and queries', async () => {
    const scrape = async (): Promise<string> =>
      (await fetch(`${app.url}/metrics`, { headers: admin })).text();
    const before = await scrape();
    const recorded = 'provider="growsurf",outcome="recorded",status="200"';
    const refused = 'provider="growsurf",outcome="refused",status="401"';
    const deliveries = 'referral_ledger_webhook_deliveries_total';
    for (let n = 10; n < 13; n++) {
      expect((await post(app.url, growsurfDelivery(uniqueGrowsurfReward(n)))).status).toBe(200);
    }
    const forged = tamperBody(growsurfDelivery(uniqueGrowsurfReward(20)));
    expect((await post(app.url, forged)).status).toBe(401);
    const last = await post(app.url, growsurfDelivery(uniqueGrowsurfReward(21)));
    expect(
      (await get(app.url, `/referrals?atPosition=${String(last.body.position)}`, read)).status,
    ).toBe(200);
    const after = await scrape();
    expect(sample(after, deliveries, recorded) - sample(before, deliveries, recorded)).toBe(4);
    expect(sample(after, deliveries, refused) - sample(before, deliveries, refused)).toBe(1);
    const commitCount = (text: string): number =>
      Number(/^referral_ledger_event_store_commit_batch_size_count (\S+)$/m.exec(text)?.[1] ?? 0);
    expect(commitCount(after)).toBeGreaterThan(commitCount(before));
    expect(after).toMatch(
      /^referral_ledger_event_store_append_seconds_bucket\{le="\+Inf"\} [1-9]/m,
    );
    expect(sample(after, 'referral_ledger_projection_lag_events', 'projection="ledger"')).toBe(0);
    expect(
      sample(after, 'referral_ledger_projection_state', 'projection="ledger",state="running"'),
    ).toBe(1);
    expect(
      sample(after, 'referral_ledger_projection_checkpoint', 'projection="ledger"'),
    ).toBeGreaterThanOrEqual(Number(last.body.position));
    expect(after).toMatch(
      /^referral_ledger_read_model_query_seconds_count\{route="\/referrals"\} [1-9]/m,
    );
    expect(after).toMatch(/^process_cpu_seconds_total /m);
  });

  it('/metrics follows a rebuild to its switch', async () => {
    const scrape = async (): Promise<string> =>
      (await fetch(`${app.url}/metrics`, { headers: admin })).text();
    expect(await scrape()).not.toMatch(/^referral_ledger_rebuild_state/m);
    const started = await fetch(`${app.url}/projections/rebuild`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(started.status).toBe(202);
    let text = await scrape();
    for (
      let i = 0;
      i < 100 && !text.includes('referral_ledger_rebuild_state{state="switched"} 1');
      i++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      text = await scrape();
    }
    expect(text).toContain('referral_ledger_rebuild_state{state="switched"} 1');
    expect(text).toContain('referral_ledger_rebuild_state{state="building"} 0');
  });
});

describe('append latency on the EventStoreDB emulator', () => {
  let emulator: EsdbEmulator;
  let app: RunningApp;

  beforeAll(async () => {
    emulator = await startEsdbEmulator();
    app = await startApp({
      env: { EVENTSTORE_CONNECTION_STRING: emulator.connectionString },
    });
  });
  afterAll(async () => {
    await app.dispose();
    await emulator.stop();
  });

  it('is measured per append on the emulator (no group commits there to count)', async () => {
    for (let n = 0; n < 3; n++) {
      expect((await post(app.url, growsurfDelivery(uniqueGrowsurfReward(100 + n)))).status).toBe(
        200,
      );
    }
    const text = await (await fetch(`${app.url}/metrics`, { headers: admin })).text();
    expect(text).toMatch(/^referral_ledger_event_store_append_seconds_count 3$/m);
    expect(text).toMatch(/^referral_ledger_event_store_commit_batch_size_count 0$/m);
  });
});
