import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../../ledger/json';
import { unwrapWixEnvelope } from './wix-envelope';
import { rejection as rejectionOf } from '../../../test/support/expect-rejection';

const fixture = (name: string): JsonObject =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as JsonObject;

/** The `data` claim as Wix builds it: every inner layer a JSON string. */
function claimData(domainEvent: JsonObject | string, extra: JsonObject = {}): string {
  return JSON.stringify({
    eventType: 'wix.reviews.v2.review_request_created',
    instanceId: 'test-instance',
    data: typeof domainEvent === 'string' ? domainEvent : JSON.stringify(domainEvent),
    identity: JSON.stringify({ identityType: 'WIX_USER', wixUserId: 'test-user' }),
    accountInfo: { accountId: 'test-account', siteId: 'test-site' },
    ...extra,
  });
}

const REVIEW = fixture('review-request-created');
const ENTITY = (REVIEW.createdEvent as JsonObject).entity as JsonObject;

describe('Wix envelope unwrapping', () => {
  it('parses the nested JSON strings: envelope, domain event and identity', () => {
    const envelope = unwrapWixEnvelope(claimData(REVIEW));
    expect(envelope).toMatchObject({
      eventType: 'wix.reviews.v2.review_request_created',
      instanceId: 'test-instance',
      identity: { identityType: 'WIX_USER', wixUserId: 'test-user' },
      accountInfo: { accountId: 'test-account', siteId: 'test-site' },
    });
    expect(envelope.domainEvent).toMatchObject({
      id: '0ec75a41-ae29-4e5e-8063-46f5a5d925d9',
      entityFqdn: 'wix.reviews.v2.review_request',
      slug: 'created',
      entityId: '15f470a4-a960-43bb-b1ed-886e1050efcd',
      entityEventSequence: '1',
      body: { kind: 'createdEvent', entity: ENTITY },
    });
    expect(envelope.domainEvent.json).toEqual(REVIEW);
  });

  it.each([
    ['createdEvent', 'entity'],
    ['updatedEvent', 'currentEntity'],
    ['deletedEvent', 'deletedEntity'],
    ['actionEvent', 'body'],
  ])('parses %s.%s sent as a JSON string into an object', (kind, field) => {
    const event = { id: 'evt-1', [kind]: { [field]: JSON.stringify(ENTITY) } };
    const { domainEvent } = unwrapWixEnvelope(claimData(event));
    expect(domainEvent.body).toEqual({ kind, entity: ENTITY });
    expect(domainEvent.json[kind]).toEqual({ [field]: ENTITY });
  });

  it("keeps an event with none of the four bodies (the seed's cratedEvent), with body null", () => {
    const seed = readFileSync(
      join(__dirname, 'fixtures', 'malformed', 'referral-event-created-seed.json'),
      'utf8',
    );
    const { domainEvent } = unwrapWixEnvelope(claimData(seed));
    expect(domainEvent.body).toBeNull();
    expect(domainEvent.json).toEqual(JSON.parse(seed));
  });

  it('keeps a deleted event without its entity', () => {
    const { domainEvent } = unwrapWixEnvelope(claimData({ id: 'evt-1', deletedEvent: {} }));
    expect(domainEvent.body).toEqual({ kind: 'deletedEvent', entity: null });
  });

  it('reads identity and accountInfo as null when Wix leaves them out', () => {
    const envelope = unwrapWixEnvelope(claimData(REVIEW, { identity: null, accountInfo: null }));
    expect(envelope).toMatchObject({ identity: null, accountInfo: null });
  });

  describe('refuses a malformed layer with 400 naming it, the line and the column', () => {
    it.each([
      ['envelope (JWT claim "data")', () => '{"eventType": "x",\n "instanceId": }'],
      ['domain event (envelope.data)', () => claimData('{"id": "evt-1",\n  "slug": created}')],
      [
        'identity (envelope.identity)',
        () => claimData(REVIEW, { identity: '{"identityType": "APP",}' }),
      ],
      [
        'createdEvent.entity',
        () => claimData({ id: 'evt-1', createdEvent: { entity: '{"id": "e1"' } }),
      ],
    ])('%s', (layer, data) => {
      const rejection = rejectionOf(() => unwrapWixEnvelope(data()));
      expect(rejection.status).toBe(400);
      expect(rejection.detail).toContain(`the ${layer} is not valid JSON`);
      expect(rejection.detail).toMatch(/at line \d+, column \d+/);
    });
  });

  it('refuses a forbidden prototype key inside a nested string with 400', () => {
    const event = '{"id": "evt-1", "createdEvent": {"entity": {"__proto__": {"x": 1}}}}';
    const rejection = rejectionOf(() => unwrapWixEnvelope(claimData(event)));
    expect(rejection.status).toBe(400);
    expect(rejection.detail).toContain('forbidden key "__proto__"');
  });

  it.each([
    ['eventType', { eventType: '' }],
    ['instanceId', { instanceId: 42 }],
  ])('refuses an envelope without %s with 400', (name, extra) => {
    const rejection = rejectionOf(() => unwrapWixEnvelope(claimData(REVIEW, extra)));
    expect(rejection.status).toBe(400);
    expect(rejection.detail).toContain(name);
  });

  it('refuses a domain event without an id (nothing to deduplicate on) with 400', () => {
    const { id: _id, ...withoutId } = REVIEW;
    expect(rejectionOf(() => unwrapWixEnvelope(claimData(withoutId))).status).toBe(400);
  });

  it('keeps entityEventSequence as the decimal string Wix sends, up to int64', () => {
    const event = { ...REVIEW, entityEventSequence: '9223372036854775807' };
    expect(unwrapWixEnvelope(claimData(event)).domainEvent.entityEventSequence).toBe(
      '9223372036854775807',
    );
  });

  it.each([['12a'], ['-1'], [''], [' 7'], ['9223372036854775808'], [7], [true]])(
    'refuses entityEventSequence %p with 400',
    (sequence) => {
      const event = { ...REVIEW, entityEventSequence: sequence };
      const rejection = rejectionOf(() => unwrapWixEnvelope(claimData(event)));
      expect(rejection.status).toBe(400);
      expect(rejection.detail).toContain('entityEventSequence');
    },
  );
});
