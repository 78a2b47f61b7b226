/** A realistic history built from the seed documents' examples, in delivery order. */
import {
  growsurfDelivery,
  growsurfFixture,
  talkableDelivery,
  talkableFixture,
  wixDelivery,
  wixFixture,
} from './deliveries';
import type { HttpDelivery } from './http';

const growsurf = [
  'new-participant-referred',
  'participant-reached-goal-pending',
  'participant-reached-goal-approved',
  'participant-reached-goal-referee',
  'participant-reached-goal-referrer',
  'campaign-ended',
];
const talkable = ['referral-approved', 'reward-unpaid', 'reward-paid'];
const wix = [
  'referring-customer-created',
  'referred-friend-created',
  'referred-friend-updated',
  'referral-event-action',
  'referral-event-created-reward',
  'review-request-created',
  'review-request-updated',
];

export function seedHistory(): { name: string; delivery: HttpDelivery }[] {
  return [
    ...growsurf.map((name) => ({
      name: `growsurf/${name}`,
      delivery: growsurfDelivery(growsurfFixture(name)),
    })),
    ...talkable.map((name) => ({
      name: `talkable/${name}`,
      delivery: talkableDelivery(talkableFixture(name)),
    })),
    ...wix.map((name) => ({ name: `wix/${name}`, delivery: wixDelivery(wixFixture(name)) })),
  ];
}
