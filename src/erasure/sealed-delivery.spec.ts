import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject, JsonValue } from '../event-store/event-store.port';
import type { WebhookReceived } from '../ledger/webhook-received';
import { uuidV5 } from '../ledger/webhook-received';
import { ledgerProjection } from '../projections/rewards/ledger.projection';
import { InMemoryProjector } from '../projections/testing/given-when-then';
import {
  fixture,
  growsurf,
  inLogOrder,
  talkable,
  webhook,
  wix,
} from '../projections/testing/recorded-webhooks';
import { revealTokens } from './reveal';
import { openDelivery, sealDelivery } from './sealed-delivery';
import { newKey } from './sealing';
import { SubjectKeyStore } from './subject-key-store';

const withBody = (event: WebhookReceived): WebhookReceived => ({
  ...event,
  delivery: { ...event.delivery, body: JSON.stringify(event.payload) },
});

function sealedCopy(event: WebhookReceived, keys: SubjectKeyStore): WebhookReceived {
  return sealDelivery(event, uuidV5(event.dedupeKey), keys) as unknown as WebhookReceived;
}

const FIXTURES = join(__dirname, '..', 'providers');
function everyFixture(): WebhookReceived[] {
  const events: WebhookReceived[] = [];
  for (const provider of ['growsurf', 'talkable', 'wix'] as const) {
    for (const file of readdirSync(join(FIXTURES, provider, 'fixtures'))) {
      if (!file.endsWith('.json')) continue;
      const name = file.replace(/\.json$/, '');
      events.push(
        provider === 'growsurf'
          ? growsurf(name)
          : provider === 'talkable'
            ? talkable(name)
            : wix(name),
      );
    }
  }
  for (const name of ['referral-created', 'referral-approved', 'invoice-paid']) {
    const body = fixture('standard', name);
    events.push(
      webhook('standard', typeof body.type === 'string' ? body.type : name, body, {
        dedupeKey: `standard:${name}`,
      }),
    );
  }
  return events;
}

describe('a sealed delivery (stored event schema 2)', () => {
  let keys: SubjectKeyStore;
  beforeEach(() => {
    keys = SubjectKeyStore.open({ file: ':memory:', masterKey: newKey() });
  });
  afterEach(() => keys.close());

  it('holds no email, name or contact id in the clear, and opens back to the delivery as received', () => {
    for (const event of everyFixture().map(withBody)) {
      const stored = sealDelivery(event, uuidV5(event.dedupeKey), keys);
      const text = JSON.stringify(stored);
      expect(text).not.toMatch(
        /@example\.com|@hooli\.com|@piedpiper\.com|Hendricks|Belson|c0ffee00-7777/,
      );
      const opened = openDelivery(stored, uuidV5(event.dedupeKey), keys);
      expect(opened.received).toEqual(event);
      expect(opened.bodyHeld).toBe(true);
    }
  });

  it("keeps an email out of the envelope's identifiers too (Talkable names people by email in its dedupe key)", () => {
    const event = withBody(
      talkable('unsubscribe', {
        dedupeKey: 'talkable:test-site:unsubscribe:Referred@Example.com',
        entity: { fqdn: 'talkable.person', id: 'referred@example.com', sequence: null },
      }),
    );
    const stored = sealDelivery(event, uuidV5(event.dedupeKey), keys);
    expect(JSON.stringify(stored).toLowerCase()).not.toContain('referred@example.com');
    expect(stored.dedupeKey).toMatch(/^talkable:test-site:unsubscribe:ps_[0-9a-f]{24}\.email$/);
  });

  it('projects the same ledger from the skeleton as from the payload, once tokens are revealed', () => {
    const projection = ledgerProjection({ defaultCurrencies: new Map([['*', 'USD']]) });
    const events = everyFixture();
    const plain = new InMemoryProjector([projection]).apply(...inLogOrder(events));
    const sealed = new InMemoryProjector([projection]).apply(
      ...inLogOrder(events.map((e) => sealedCopy(e, keys))),
    );
    const documents = (p: InMemoryProjector) => Object.fromEntries(p.documents) as JsonObject;
    const sealedDocs = documents(sealed);
    expect(JSON.stringify(sealedDocs)).not.toMatch(/@example\.com|@hooli\.com|Belson/);
    expect(revealTokens(sealedDocs as JsonValue, (p) => keys.profileOf(p))).toEqual(
      documents(plain),
    );
    expect(sealed.entries.length).toBe(plain.entries.length);
  });

  describe.each([
    ['rebuilt from the payload', (e: WebhookReceived) => withBody(e)],
    [
      'sealed as received',
      (e: WebhookReceived) => ({
        ...e,
        delivery: { ...e.delivery, body: JSON.stringify(e.payload, null, 2) },
      }),
    ],
  ])('a delivery that names two people (an advocate and a friend), its body %s', (_, bodied) => {
    const event = bodied(growsurf('new-participant-referred'));
    const eventId = uuidV5(event.dedupeKey);
    const erase = (pseudonym: string) =>
      keys.erase({
        requestId: 'r',
        erasedAt: '2026-12-02T01:00:00.000Z',
        pseudonyms: [pseudonym],
        keyIds: [],
      });

    it("keeps the advocate's part readable and the friend's not once the friend is erased, and the body unreadable to either key", () => {
      const stored = sealDelivery(event, eventId, keys);
      const [friend, advocate] = openDelivery(stored, eventId, keys).subjects;
      erase(friend!.pseudonym);
      const opened = openDelivery(stored, eventId, keys);
      expect(opened.bodyHeld).toBe(false);
      expect(opened.received.delivery.body).toBe('');
      expect(opened.erasedAt).toBe('2026-12-02T01:00:00.000Z');
      expect(opened.subjects.map((s) => [s.pseudonym, s.held])).toEqual([
        [friend!.pseudonym, false],
        [advocate!.pseudonym, true],
      ]);
      const text = JSON.stringify(opened.received);
      expect(text).toContain('richard@piedpiper.com');
      expect(text).not.toContain('gavin.belson@hooli.com');
      expect(text).not.toContain('Belson');
    });

    it('folds the same after the erasure: the skeleton never depended on a key', () => {
      const stored = sealDelivery(event, eventId, keys);
      const before = JSON.stringify(stored.payload);
      erase(openDelivery(stored, eventId, keys).subjects[0]!.pseudonym);
      expect(JSON.stringify(openDelivery(stored, eventId, keys).received.payload)).not.toContain(
        'Belson',
      );
      expect(JSON.stringify(stored.payload)).toBe(before);
    });
  });

  it('says a key lost (not erased) when the key store no longer has a key it never erased', () => {
    const event = withBody(wix('referred-friend-created'));
    const eventId = uuidV5(event.dedupeKey);
    const stored = sealDelivery(event, eventId, keys);
    const empty = SubjectKeyStore.open({ file: ':memory:', masterKey: newKey() });
    const opened = openDelivery(stored, eventId, empty);
    expect(opened.subjects.map((s) => s.erasure)).toEqual(['key lost']);
    expect(opened.bodyHeld).toBe(false);
    expect(opened.erasedAt).toBeNull();
    empty.close();
  });

  it('weighs less than schema 1 for a 2.3 KB GrowSurf delivery (the body held once)', () => {
    const event = withBody(growsurf('participant-reached-goal-referrer'));
    const schema1 = Buffer.byteLength(JSON.stringify(event));
    const schema2 = Buffer.byteLength(
      JSON.stringify(sealDelivery(event, uuidV5(event.dedupeKey), keys)),
    );
    expect(event.delivery.body.length).toBeGreaterThan(2_200);
    expect(schema2).toBeLessThan(schema1 * 0.75);
  });
});
