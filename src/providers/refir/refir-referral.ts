/**
 * Refir documents no field names (docs/providers.md#refir-body): its data "typically includes
 * the new lead, the referring user, and a message". A body is taken as a referral
 * when it names both people, in the vocabulary the ledger projection reads
 * (providers/shared/generic-referral-translate.ts): a person object with an `id` or an
 * `email`, or a flat id. Anything else is recorded, marked not understood.
 */
import type { JsonObject } from '../../ledger/json';
import { literalAt, objectAt } from '../../ledger/json';

const LEAD_OBJECTS = ['lead', 'referred', 'friend', 'user', 'referee'];
const LEAD_IDS = ['referredId', 'friendId'];
const REFERRER_OBJECTS = ['referrer', 'referringUser', 'referrer_user', 'advocate'];
const REFERRER_IDS = ['referrerId'];
const DISCRIMINATORS = ['event', 'type', 'eventType'];
/** Event names become part of the stored event type: short, printable, no spaces. */
const EVENT_NAME = /^[\x21-\x7e]{1,100}$/;

export function carriesRefirReferral(body: JsonObject): boolean {
  return names(body, LEAD_OBJECTS, LEAD_IDS) && names(body, REFERRER_OBJECTS, REFERRER_IDS);
}

/** The body's own discriminator if it has one, else `referral` or `unknown`. */
export function refirEventType(body: JsonObject): string {
  for (const key of DISCRIMINATORS) {
    const value = body[key];
    if (typeof value === 'string' && EVENT_NAME.test(value)) return value;
  }
  return carriesRefirReferral(body) ? 'referral' : 'unknown';
}

function names(body: JsonObject, objectKeys: string[], idKeys: string[]): boolean {
  const person = objectKeys.some((key) => {
    const value = objectAt(body, key);
    return literalAt(value, 'id') !== null || literalAt(value, 'email') !== null;
  });
  return person || idKeys.some((key) => literalAt(body, key) !== null);
}
