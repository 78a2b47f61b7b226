/**
 * Dedupe keys become durable stream names: a refactor of a helper must not change
 * a single one, nor the event a delivery is stored as. Every provider fixture goes
 * through the real intake (verify -> parse -> dedupe key) and `ingestWebhook`, and
 * what would be appended is compared with the golden file.
 *
 * Signatures are made with per-process test keys, so the bytes that carry them
 * (signature headers, a Wix JWT's signature part) are replaced by a marker; every
 * other byte of the stored event is compared. `GOLDEN_UPDATE=1` rewrites the file,
 * for a change that means to alter stored events (say so in its commit).
 *
 * The events of every earlier schema stay in logs for ever: `stored-events.schema-1.golden.json`
 * holds the same fixtures as schema 1 stored them (payload and body both), and
 * each must read back exactly as the current schema's event does.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import type { AppendOptions, EventData, EventStore } from '../../src/event-store/event-store.port';
import { ingestWebhook } from '../../src/webhooks/ingest-webhook';
import type { InboundRequest } from '../../src/providers/provider-intake';
import { createWebhookIntakes } from '../../src/webhooks/webhook-intakes';
import {
  growsurfDelivery,
  refirDelivery,
  standardDelivery,
  talkableDelivery,
  wixDelivery,
} from '../support/deliveries';
import type { HttpDelivery } from '../support/http';
import { testEnv } from '../support/start-app';
import { signTalkableCustomApp } from '../../src/providers/talkable/talkable-sign';
import { TEST_SECRETS } from '../support/test-secrets';
import { storedPayload, webhookFromStored } from '../../src/providers/stored-webhook';
import type { JsonObject } from '../../src/ledger/json';

const PROVIDERS_DIR = join(__dirname, '..', '..', 'src', 'providers');
const GOLDEN_FILE = join(__dirname, 'stored-events.golden.json');
const SCHEMA_1_FILE = join(__dirname, 'stored-events.schema-1.golden.json');
const RECEIVED_AT = new Date('2026-06-01T12:00:00.000Z');
const SIGNED_ELSEWHERE = '<signed with this run’s test keys>';

type Json = Record<string, unknown>;

interface FixtureFile {
  readonly provider: string;
  readonly name: string;
  readonly text: string;
}

function fixtureFiles(): FixtureFile[] {
  const files: FixtureFile[] = [];
  for (const provider of readdirSync(PROVIDERS_DIR).sort()) {
    if (provider === 'shared') continue;
    const dir = join(PROVIDERS_DIR, provider, 'fixtures');
    let entries: string[];
    try {
      entries = readdirSync(dir, { recursive: true }).map(String).sort();
    } catch {
      continue;
    }
    for (const entry of entries.filter((e) => e.endsWith('.json'))) {
      files.push({
        provider,
        name: entry.replace(/\.json$/, ''),
        text: readFileSync(join(dir, entry), 'utf8'),
      });
    }
  }
  return files;
}

function parsedOrRaw(text: string): Json | string {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

/** The delivery a provider's sender would make of the fixture, signed at RECEIVED_AT. */
function deliveryOf(file: FixtureFile): HttpDelivery {
  const item = parsedOrRaw(file.text);
  switch (file.provider) {
    case 'growsurf':
      return growsurfDelivery(file.text, { timestampMs: RECEIVED_AT.getTime() });
    case 'talkable':
      if (file.name.startsWith('custom-app')) {
        return {
          path: '/webhooks/talkable',
          headers: {
            'content-type': 'application/json',
            'x-talkable-signature': signTalkableCustomApp(file.text, TEST_SECRETS.talkableKey),
          },
          body: file.text,
        };
      }
      return talkableDelivery(item);
    case 'wix':
      return wixDelivery(item);
    case 'refir':
      return typeof item === 'string'
        ? { path: `/webhooks/refir/${TEST_SECRETS.refirToken}`, headers: {}, body: item }
        : refirDelivery(item);
    case 'standard':
      return typeof item === 'string'
        ? { path: `/webhooks/standard/${TEST_SECRETS.standardSource}`, headers: {}, body: item }
        : standardDelivery(item, `msg_golden_${file.name}`, {
            timestampSeconds: Math.floor(RECEIVED_AT.getTime() / 1000),
          });
    default:
      throw new Error(`no delivery builder for provider folder ${file.provider}`);
  }
}

function inboundRequest(provider: string, delivery: HttpDelivery): InboundRequest {
  const [, , , param] = delivery.path.split('/');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(delivery.headers)) headers[name.toLowerCase()] = value;
  return {
    rawBody: Buffer.from(delivery.body),
    headers,
    params:
      provider === 'refir' ? { token: param } : provider === 'standard' ? { source: param } : {},
    receivedAt: RECEIVED_AT,
  };
}

/** A store that takes one append and remembers it. */
function recordingStore(): { store: EventStore; appended: () => Json } {
  let seen: Json | undefined;
  const store = {
    append: async (streamId: string, events: readonly EventData[], options: AppendOptions) => {
      seen = { streamId, expectedRevision: String(options.expectedRevision), events };
      return { position: 1n, nextRevision: 0n };
    },
  } as unknown as EventStore;
  return {
    store,
    appended: () => {
      if (seen === undefined) throw new Error('nothing was appended');
      return seen;
    },
  };
}

const SIGNATURE_HEADERS = new Set([
  'growsurf-signature',
  'x-talkable-signature',
  'webhook-signature',
]);

/** Replaces the bytes that depend on this run's test keys, and only those. */
function withoutRunKeys(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutRunKeys(item));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Json).map(([k, v]) => [k, withoutRunKeys(v, k)]),
    );
  }
  if (typeof value !== 'string') return value;
  if (key !== undefined && SIGNATURE_HEADERS.has(key)) return SIGNED_ELSEWHERE;
  // A compact JWS (Wix): header and payload are deterministic, the signature is not.
  const jws = /^([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+$/.exec(value);
  if (jws !== null && value.length > 100) return `${jws[1]}.${SIGNED_ELSEWHERE}`;
  return value
    .split(TEST_SECRETS.talkableKey)
    .join('<talkable key>')
    .split(TEST_SECRETS.refirToken)
    .join('<refir token>');
}

async function storedFormOf(file: FixtureFile): Promise<Json> {
  const intakes = createWebhookIntakes(
    loadConfig({ ...testEnv('/nonexistent-golden'), ENV_FILE: '' }).webhooks,
  );
  const accept = intakes[file.provider as keyof typeof intakes];
  const { store, appended } = recordingStore();
  try {
    await ingestWebhook(store, accept, inboundRequest(file.provider, deliveryOf(file)));
    return withoutRunKeys(appended()) as Json;
  } catch (error) {
    const rejection = error as { status?: unknown; title?: unknown; constructor: { name: string } };
    return {
      rejected:
        typeof rejection.status === 'number' ? rejection.status : rejection.constructor.name,
      title: typeof rejection.title === 'string' ? rejection.title : null,
    };
  }
}

describe('stored events of every provider fixture (golden)', () => {
  const files = fixtureFiles();
  // Senders stamp their signatures with the time (a Wix JWT's iat/exp): sign at RECEIVED_AT.
  beforeAll(() => jest.spyOn(Date, 'now').mockReturnValue(RECEIVED_AT.getTime()));
  afterAll(() => jest.restoreAllMocks());

  it('finds fixtures of every provider', () => {
    expect(new Set(files.map((file) => file.provider))).toEqual(
      new Set(['growsurf', 'refir', 'standard', 'talkable', 'wix']),
    );
  });

  it('stores each fixture under the same stream name, event id, type and data as the golden file', async () => {
    const actual: Json = {};
    for (const file of files) actual[`${file.provider}/${file.name}`] = await storedFormOf(file);
    if (process.env.GOLDEN_UPDATE === '1') {
      writeFileSync(GOLDEN_FILE, `${JSON.stringify(actual, null, 2)}\n`);
    }
    const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as Json;
    expect(Object.keys(actual).sort()).toEqual(Object.keys(golden).sort());
    for (const name of Object.keys(golden))
      expect({ [name]: actual[name] }).toEqual({ [name]: golden[name] });
  });

  it('reads each stored event back as the delivery intake accepted, payload included', async () => {
    const intakes = createWebhookIntakes(
      loadConfig({ ...testEnv('/nonexistent-golden'), ENV_FILE: '' }).webhooks,
    );
    let accepted = 0;
    for (const file of files) {
      const request = inboundRequest(file.provider, deliveryOf(file));
      const { store, appended } = recordingStore();
      const accept = intakes[file.provider as keyof typeof intakes];
      const received = await ingestWebhook(store, accept, request).then(
        () => accept(request),
        () => undefined,
      );
      if (received === undefined) continue;
      accepted += 1;
      const [event] = appended().events as EventData[];
      expect(event?.data).not.toHaveProperty('payload');
      expect({ [file.name]: webhookFromStored(event!.data) }).toEqual({ [file.name]: received });
    }
    expect(accepted).toBeGreaterThan(30);
  });

  it('reads the events schema 1 stored (payload and body both) as it reads the current schema', () => {
    const current = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as Json;
    const schema1 = JSON.parse(readFileSync(SCHEMA_1_FILE, 'utf8')) as Json;
    const dataOf = (stored: unknown): JsonObject | undefined =>
      ((stored as { events?: { data: JsonObject }[] }).events ?? [])[0]?.data;
    let compared = 0;
    for (const name of Object.keys(schema1)) {
      const old = dataOf(schema1[name]);
      const now = dataOf(current[name]);
      if (old === undefined) continue;
      expect(old).toHaveProperty('payload');
      compared += 1;
      expect({ [name]: storedPayload(now!) }).toEqual({ [name]: old.payload });
      expect({ [name]: webhookFromStored(now!) }).toEqual({ [name]: webhookFromStored(old) });
    }
    expect(compared).toBeGreaterThan(30);
  });
});
