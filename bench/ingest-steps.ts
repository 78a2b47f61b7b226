/**
 * bench:ingest-steps — CPU of each step the intake takes for one signed
 * GrowSurf delivery (~2.3 KB), one thread, each step alone in a tight loop:
 * median over rounds of the process's CPU time, in µs per delivery. It shows where intake time goes
 * next to what HMAC and JSON.parse physically cost (issue 12, item 2).
 * Prints figures; it asserts nothing.
 */
import { createHmac } from 'node:crypto';
import { validateSync } from 'class-validator';
import type { AppConfig } from '../src/config/app-config';
import { loadConfig } from '../src/config/load-config';
import type {
  AppendOptions,
  EventData,
  EventStore,
  JsonObject,
} from '../src/event-store/event-store.port';
import { toWireAppend } from '../src/event-store/sqlite/append-rules';
import type { WireAppend } from '../src/event-store/sqlite/batch-writer';
import {
  deliveryStreamName,
  deliveryStreamNameForId,
  uuidV5,
  WEBHOOK_EVENT_SCHEMA,
  webhookEventType,
} from '../src/ledger/webhook-received';
import { checkEnvelope } from '../src/providers/shared/envelope-validation';
import { ingestWebhook } from '../src/webhooks/ingest-webhook';
import { storedWebhookData } from '../src/providers/stored-webhook';
import { decodeUtf8, parseJsonObject } from '../src/providers/shared/json-body';
import {
  describeGrowsurfDelivery,
  growsurfCampaignOf,
} from '../src/providers/growsurf/growsurf-dedupe';
import { GrowsurfEnvelope } from '../src/providers/growsurf/growsurf-envelope.dto';
import { createGrowsurfIntake } from '../src/providers/growsurf/growsurf-intake';
import {
  parseGrowsurfSignatureHeader,
  verifyGrowsurfSignature,
} from '../src/providers/growsurf/growsurf-signature';
import type { InboundRequest } from '../src/providers/provider-intake';
import { secretsForTenant } from '../src/providers/shared/secret-selection';
import { testEnv } from '../test/support/start-app';
import { growsurfRewardFactory } from './ingest-deliveries';

const ROUNDS = 21;
const PER_ROUND = 2_000;

const secret = 'bench-steps-secret';
const config: AppConfig = loadConfig({
  ...testEnv('/nonexistent-steps'),
  GROWSURF_WEBHOOK_SECRET: secret,
});
const make = growsurfRewardFactory(secret, `steps-${process.pid}`);
const deliveries = Array.from({ length: PER_ROUND }, (_, n) => make(n));
const requests: InboundRequest[] = deliveries.map((delivery) => ({
  rawBody: Buffer.from(delivery.body ?? ''),
  headers: {
    ...delivery.headers,
    'user-agent': 'bench',
    host: '127.0.0.1',
    connection: 'keep-alive',
  },
  params: {},
  receivedAt: new Date(),
}));
const texts = requests.map((request) => request.rawBody.toString('utf8'));
const parsed = texts.map((text) => JSON.parse(text) as JsonObject);
const accept = createGrowsurfIntake(config.webhooks.growsurf);
const events = requests.map((request) => accept(request));

let sink: unknown;

/** CPU of this process so far, µs: steadier than wall time on a shared machine. */
function cpuUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** CPU µs per call of `step(i)`, the median of ROUNDS rounds of PER_ROUND calls. */
function measure(step: (i: number) => unknown): number {
  for (let i = 0; i < PER_ROUND; i++) sink = step(i);
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const started = cpuUs();
    for (let i = 0; i < PER_ROUND; i++) sink = step(i);
    rounds.push((cpuUs() - started) / PER_ROUND);
  }
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(rounds.length / 2)]!;
}

async function measureAsync(step: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < PER_ROUND; i++) sink = await step(i);
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const started = cpuUs();
    for (let i = 0; i < PER_ROUND; i++) sink = await step(i);
    rounds.push((cpuUs() - started) / PER_ROUND);
  }
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(rounds.length / 2)]!;
}

/**
 * A store doing what the embedded log's append does on the main thread (the
 * checks, the JSON text, the structured clone that hands it to the writer),
 * without SQLite: the main thread's share of a delivery, HTTP aside.
 */
const wireStore = {
  append: async (stream: string, events: readonly EventData[], options: AppendOptions) => {
    const wire = toWireAppend(stream, events, options.expectedRevision, 16 * 1024 * 1024);
    sink = structuredClone({ type: 'batch', id: 0, batch: { appends: [wire], created: 1n } });
    return { position: 1n, nextExpectedRevision: 0n };
  },
} as unknown as EventStore;

/** The wire appends the embedded log hands its writer thread, one per delivery. */
function wireAppends(): WireAppend[] {
  return events.map((event) =>
    toWireAppend(
      deliveryStreamName(event.provider, event.dedupeKey),
      [{ id: uuidV5(event.dedupeKey), type: 'x', data: event as unknown as JsonObject }],
      'no_stream',
      16 * 1024 * 1024,
    ),
  );
}

async function main(): Promise<void> {
  const rows: [string, number][] = [];
  const row = (name: string, us: number): void => {
    rows.push([name, us]);
    console.log(`${us.toFixed(2).padStart(8)} µs  ${name}`);
  };
  console.log(
    `bench:ingest-steps on ${process.version}: one signed GrowSurf delivery of ${texts[0]!.length} bytes, median of ${ROUNDS} x ${PER_ROUND}`,
  );
  console.log('-- what a durable intake cannot skip');
  row(
    'HMAC-SHA256 of "ts." + body (the minimal intake)',
    measure((i) => createHmac('sha256', secret).update('1.').update(requests[i]!.rawBody).digest()),
  );
  row(
    'JSON.parse of the body text',
    measure((i) => JSON.parse(texts[i]!)),
  );
  console.log('-- the steps of our intake');
  row(
    'decodeUtf8 (strict UTF-8)',
    measure((i) => decodeUtf8(requests[i]!.rawBody)),
  );
  row(
    'parseJsonObject (JSON.parse + shape check)',
    measure((i) => parseJsonObject(texts[i]!)),
  );
  row(
    'verifyGrowsurfSignature (header, tolerance, HMAC, compare)',
    measure((i) =>
      verifyGrowsurfSignature(
        requests[i]!.rawBody,
        requests[i]!.headers['growsurf-signature'],
        secretsForTenant(config.webhooks.growsurf.secrets, 'ct8f71'),
        requests[i]!.receivedAt,
        config.webhooks.growsurf.toleranceMs,
        parsed[i],
      ),
    ),
  );
  row(
    '  of which parseGrowsurfSignatureHeader',
    measure((i) => parseGrowsurfSignatureHeader(requests[i]!.headers['growsurf-signature'])),
  );
  row(
    'checkEnvelope (class-validator, GrowsurfEnvelope)',
    measure((i) => checkEnvelope(GrowsurfEnvelope, parsed[i]!, 'GrowSurf body')),
  );
  row(
    '  of which validateSync alone',
    measure((i) => validateSync(Object.assign(new GrowsurfEnvelope(), parsed[i]!))),
  );
  row(
    'campaign + dedupe key (growsurfCampaignOf, describeGrowsurfDelivery)',
    measure((i) =>
      describeGrowsurfDelivery(
        'PARTICIPANT_REACHED_A_GOAL',
        parsed[i]!,
        growsurfCampaignOf('PARTICIPANT_REACHED_A_GOAL', parsed[i]!),
      ),
    ),
  );
  row(
    'uuidV5 of the dedupe key (one SHA-1)',
    measure((i) => uuidV5(events[i]!.dedupeKey)),
  );
  row(
    'stream name + event id from two SHA-1 (deliveryStreamName, uuidV5)',
    measure((i) => [
      deliveryStreamName(events[i]!.provider, events[i]!.dedupeKey),
      uuidV5(events[i]!.dedupeKey),
    ]),
  );
  row(
    'stream name + event id from one SHA-1 (uuidV5, deliveryStreamNameForId)',
    measure((i) => {
      const eventId = uuidV5(events[i]!.dedupeKey);
      return [deliveryStreamNameForId(events[i]!.provider, eventId), eventId];
    }),
  );
  row(
    'toWireAppend (checks + JSON.stringify of the stored event)',
    measure((i) =>
      toWireAppend(
        'webhook-growsurf-x',
        [
          {
            id: '00000000-0000-4000-8000-000000000000',
            type: webhookEventType('growsurf', events[i]!.providerEventType),
            data: storedWebhookData(events[i]!),
            metadata: { schema: WEBHOOK_EVENT_SCHEMA },
          },
        ],
        'no_stream',
        16 * 1024 * 1024,
      ),
    ),
  );
  const wires = wireAppends();
  row(
    'structured clone of one wire append (postMessage: serialised here, read in the writer)',
    measure((i) =>
      structuredClone({ type: 'batch', id: i, batch: { appends: [wires[i]], created: 1n } }),
    ),
  );
  console.log('-- whole');
  row(
    'accept(request): the GrowSurf intake, verify to WebhookReceived',
    measure((i) => accept(requests[i]!)),
  );
  row(
    "ingestWebhook + the embedded log's append work on the main thread (no SQLite)",
    await measureAsync((i) => ingestWebhook(wireStore, accept, requests[i]!)),
  );
  void sink;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
