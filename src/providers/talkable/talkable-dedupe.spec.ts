import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../../ledger/json';
import { contentHash } from '../../ledger/canonical-json';
import { describeTalkableDelivery, referralRewardIdsOf } from './talkable-dedupe';

interface TalkableFixture {
  readonly site: string;
  readonly type: string;
  readonly payload: JsonObject;
}

const fixture = (name: string): TalkableFixture =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as TalkableFixture;
const describeFixture = (name: string) => {
  const { site, type, payload } = fixture(name);
  return describeTalkableDelivery(site, type, payload);
};
const hashKey = (name: string): string => {
  const { site, type, payload } = fixture(name);
  return `talkable:${site}:${type}:${contentHash(payload)}`;
};

describe('Talkable dedupe keys', () => {
  it.each([
    ['referral-approved', 'talkable:test-site:referral:6400368', 'talkable.referral', '6400368'],
    ['reward-paid', 'talkable:test-site:reward:715729563:Paid', 'talkable.reward', '715729563'],
    ['reward-unpaid', 'talkable:test-site:reward:715729563:Unpaid', 'talkable.reward', '715729563'],
    ['reward-voided', 'talkable:test-site:reward:715729561:Voided', 'talkable.reward', '715729561'],
    ['event-purchase', 'talkable:test-site:event:6400368', 'talkable.origin', '6400368'],
    [
      'create-coupon',
      'talkable:test-site:create_coupon:42:FRIEND-7Q2X',
      'talkable.coupon',
      'FRIEND-7Q2X',
    ],
    [
      'offer-signup',
      'talkable:test-site:offer_signup_web_hook:1a2PV:referrer@example.com',
      'talkable.person',
      'referrer@example.com',
    ],
    [
      'unsubscribe',
      'talkable:test-site:unsubscribe:referred@example.com:2021-05-01T10:00:00.000-08:00',
      'talkable.person',
      'referred@example.com',
    ],
  ])('keys %s naturally as %s', (name, key, fqdn, id) => {
    expect(describeFixture(name)).toEqual({ dedupeKey: key, entity: { fqdn, id, sequence: null } });
  });

  it.each([
    ['post-share', 'talkable.share', null],
    ['check-unsubscribe', 'talkable.person', 'referred@example.com'],
  ])('keys %s, which has no natural key, by the canonical payload hash', (name, fqdn, id) => {
    expect(describeFixture(name)).toEqual({
      dedupeKey: hashKey(name),
      entity: { fqdn, id, sequence: null },
    });
  });

  it('gives a reward a new key when its status changes, and a replay the same key', () => {
    const unpaid = describeFixture('reward-unpaid').dedupeKey;
    const paid = describeFixture('reward-paid').dedupeKey;
    expect(unpaid).not.toBe(paid);
    expect(describeFixture('reward-paid').dedupeKey).toBe(paid);
  });

  it('hashes the same content to the same key whatever the key order', () => {
    const { site, type, payload } = fixture('post-share');
    const reordered: JsonObject = Object.fromEntries(Object.entries(payload).reverse());
    expect(describeTalkableDelivery(site, type, reordered).dedupeKey).toBe(hashKey('post-share'));
  });

  it.each([
    ['reward-paid', (p: JsonObject) => ({ ...p, reward: { id: 715729563 } })],
    ['reward-paid', (p: JsonObject) => ({ ...p, reward: null })],
    ['referral-approved', (p: JsonObject) => ({ ...p, referred_origin: 'oops' })],
    ['event-purchase', ({ origin: _origin, ...rest }: JsonObject) => rest],
    ['create-coupon', (p: JsonObject) => ({ ...p, coupon_list_id: null })],
    ['offer-signup', (p: JsonObject) => ({ ...p, offer: [] })],
    ['unsubscribe', () => ({ person: { email: 'referred@example.com' } })],
  ])('falls back to the payload hash when %s lacks a key field', (name, mangle) => {
    const { site, type, payload } = fixture(name);
    const mangled = mangle(payload);
    expect(describeTalkableDelivery(site, type, mangled).dedupeKey).toBe(
      `talkable:${site}:${type}:${contentHash(mangled)}`,
    );
  });

  it('keeps the email key stable across letter case', () => {
    const { site, type, payload } = fixture('unsubscribe');
    const person = { ...(payload.person as JsonObject), email: 'Referred@Example.COM' };
    expect(describeTalkableDelivery(site, type, { person }).dedupeKey).toBe(
      describeFixture('unsubscribe').dedupeKey,
    );
  });

  it('links a referral approval to the reward ids a reward webhook later carries', () => {
    const approval = fixture('referral-approved').payload;
    expect(referralRewardIdsOf(approval)).toEqual(['715729561']);
    expect(referralRewardIdsOf(approval)).toContain(describeFixture('reward-voided').entity.id);
    expect(referralRewardIdsOf({ advocate_rewards: 'none' })).toEqual([]);
  });
});
