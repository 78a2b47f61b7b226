import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../../ledger/json';
import { contentHash } from '../../ledger/canonical-json';
import { describeGrowsurfDelivery, growsurfCampaignOf } from './growsurf-dedupe';

const fixture = (name: string): JsonObject =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as JsonObject;

function identify(body: JsonObject) {
  const event = typeof body.event === 'string' ? body.event : '';
  const campaignId = growsurfCampaignOf(event, body);
  return { campaignId, ...describeGrowsurfDelivery(event, body, campaignId) };
}

describe('GrowSurf dedupe keys', () => {
  it.each([
    [
      'participant-reached-goal-referrer',
      'growsurf:ct8f71:reward:ccm2ue:true',
      'growsurf.reward',
      'ccm2ue',
    ],
    [
      'participant-reached-goal-pending',
      'growsurf:ct8f71:reward:k3v9pd:false',
      'growsurf.reward',
      'k3v9pd',
    ],
    [
      'participant-reached-goal-approved',
      'growsurf:ct8f71:reward:k3v9pd:true',
      'growsurf.reward',
      'k3v9pd',
    ],
    [
      'participant-reached-goal-referee',
      'growsurf:ct8f71:reward:m7q2ta:true',
      'growsurf.reward',
      'm7q2ta',
    ],
    [
      'new-participant-referred',
      'growsurf:ct8f71:participant:p88y0a',
      'growsurf.participant',
      'p88y0a',
    ],
    ['campaign-ended', 'growsurf:ct8f71:ended:1533532422153', 'growsurf.campaign', 'ct8f71'],
    [
      'fraud-status-updated',
      'growsurf:ct8f71:fraud:uxjbxu:HIGH:SAME_IP_ADDRESS:1659475000000',
      'growsurf.participant',
      'uxjbxu',
    ],
  ])('keys %s as %s', (name, dedupeKey, fqdn, id) => {
    expect(identify(fixture(name))).toEqual({
      campaignId: 'ct8f71',
      dedupeKey,
      entity: { fqdn, id, sequence: null },
    });
  });

  it('gives the pending and the approved copy of one reward two keys, and a replay of either the same key', () => {
    const pending = fixture('participant-reached-goal-pending');
    const approved = fixture('participant-reached-goal-approved');
    const rewardOf = (body: JsonObject) => (body.data as JsonObject).reward as JsonObject;
    expect(rewardOf(pending).id).toBe(rewardOf(approved).id);
    expect(identify(pending).dedupeKey).not.toBe(identify(approved).dedupeKey);
    expect(identify(fixture('participant-reached-goal-pending')).dedupeKey).toBe(
      identify(pending).dedupeKey,
    );
    expect(identify({ ...approved, createdAt: 1 }).dedupeKey).toBe(identify(approved).dedupeKey);
  });

  it('gives the referrer and the referee of one double-sided reward different keys', () => {
    const referrer = identify(fixture('participant-reached-goal-approved'));
    const referee = identify(fixture('participant-reached-goal-referee'));
    expect(referrer.dedupeKey).not.toBe(referee.dedupeKey);
  });

  it.each([
    [
      'NEW_COMMISSION_ADDED',
      { commission: { id: 'cm1', amount: 1200 } },
      'growsurf:ct8f71:commission:cm1',
    ],
    [
      'COMMISSION_ADJUSTED',
      { commission: { id: 'cm1', amount: -1200, status: 'REFUNDED' } },
      'growsurf:ct8f71:commission:cm1:adjusted:-1200:REFUNDED',
    ],
    ['NEW_PAYOUT_ISSUED', { payout: { id: 'po7', amount: 5000 } }, 'growsurf:ct8f71:payout:po7'],
    ['NEW_PAYOUT_ISSUED', { id: 'po8' }, 'growsurf:ct8f71:payout:po8'],
  ])('keys the affiliate event %s by its id', (event, data, dedupeKey) => {
    const body = { event, createdAt: 1, data: { ...data, campaign: { id: 'ct8f71' } } };
    expect(identify(body).dedupeKey).toBe(dedupeKey);
  });

  it.each([
    ['participant-reached-goal-approved', (d: JsonObject) => ({ ...d, reward: { id: 'k3v9pd' } })],
    [
      'participant-reached-goal-approved',
      (d: JsonObject) => ({ ...d, reward: { approved: true } }),
    ],
    ['new-participant-referred', ({ id: _id, ...rest }: JsonObject) => rest],
    ['campaign-ended', (d: JsonObject) => ({ ...d, endedAt: null })],
    ['fraud-status-updated', (d: JsonObject) => ({ ...d, participant: { id: 'uxjbxu' } })],
  ])('falls back to the body hash when %s lacks a key field', (name, mangle) => {
    const original = fixture(name);
    const body: JsonObject = { ...original, data: mangle(original.data as JsonObject) };
    const { campaignId, dedupeKey } = identify(body);
    expect(dedupeKey).toBe(
      `growsurf:${campaignId ?? '-'}:${original.event as string}:${contentHash(body)}`,
    );
  });

  it('never throws on a data object of the wrong shape', () => {
    for (const event of ['PARTICIPANT_REACHED_A_GOAL', 'CAMPAIGN_ENDED', 'COMMISSION_ADJUSTED']) {
      expect(identify({ event, data: 'nothing' }).dedupeKey).toMatch(/:sha256:/);
    }
  });

  it('finds no campaign in data.id of a participant event', () => {
    const body = fixture('new-participant-referred');
    const { campaign: _campaign, ...participant } = body.data as JsonObject;
    expect(identify({ ...body, data: participant }).campaignId).toBeNull();
  });
});
