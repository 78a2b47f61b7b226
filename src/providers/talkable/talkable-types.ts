/** The nine legacy webhook `type` values (docs/providers.md#talkable-events). */
export const TALKABLE_TYPES = [
  'referral_web_hook',
  'reward_web_hook',
  'post_share_web_hook',
  'offer_signup_web_hook',
  'claim_signup_web_hook',
  'unsubscribe_web_hook',
  'check_unsubscribe_web_hook',
  'create_coupon_web_hook',
  'event_web_hook',
] as const;

export type TalkableType = (typeof TALKABLE_TYPES)[number];

export function isTalkableType(type: string): type is TalkableType {
  return (TALKABLE_TYPES as readonly string[]).includes(type);
}
