/**
 * An order amount is money like a balance: a decimal string with the
 * currency's minor digits next to its currency, and `currencyAssumed` when the
 * provider sent none (the service runs with DEFAULT_CURRENCIES talkable=USD).
 * Providers send 80, "99.5" and 35.03 for the same field. Embedded log: the
 * rule is the projection's.
 */
import { talkableDelivery, talkableFixture, wixDelivery, wixFixture } from '../support/deliveries';
import { get, post } from '../support/http';
import { startApp, type RunningApp } from '../support/start-app';
import { TEST_SECRETS } from '../support/test-secrets';

const read = { authorization: `Bearer ${TEST_SECRETS.readApiKey}` };

type Json = Record<string, unknown>;

/** Talkable's referral webhook with the friend's order subtotal replaced. */
function talkableReferral(subtotal: number): Json {
  const item = talkableFixture('referral-approved') as Json;
  const payload = item.payload as Json;
  const origin = { ...(payload.referred_origin as Json), subtotal };
  return { ...item, payload: { ...payload, referred_origin: origin } };
}

/** Wix's action event with the amount replaced and no currency. */
function wixAction(amount: string): Json {
  const event = wixFixture('referral-event-action') as Json;
  const created = event.createdEvent as Json;
  const entity = created.entity as Json;
  const { currency: _currency, ...action } = entity.actionEvent as Json;
  return {
    ...event,
    createdEvent: { ...created, entity: { ...entity, actionEvent: { ...action, amount } } },
  };
}

describe('order amounts in the referrals (embedded log)', () => {
  let app: RunningApp;
  let position = '0';

  beforeAll(async () => {
    app = await startApp();
    for (const delivery of [
      talkableDelivery(talkableReferral(80)),
      wixDelivery(wixAction('99.5')),
    ]) {
      const answer = await post(app.url, delivery);
      expect(answer.status).toBe(200);
      position = answer.body.position as string;
    }
  });
  afterAll(() => app.dispose());

  it('answers each order amount in the money format of the balances', async () => {
    const referrals = await get(app.url, `/referrals?atPosition=${position}`, read);
    expect(referrals.status).toBe(200);
    const orders = (referrals.body.items as { orders: Json[] }[]).flatMap((r) => r.orders);
    expect(orders).toEqual(
      expect.arrayContaining([
        { id: '459179054', amount: '80.00', currency: 'USD', currencyAssumed: true },
        {
          id: '8e7d3c22-7d22-43e8-a175-869113e59108',
          amount: '99.50',
          currency: 'XXX',
          currencyAssumed: true,
        },
      ]),
    );
    const advocate = await get(
      app.url,
      `/participants/talkable/test-site/referrer@example.com?atPosition=${position}`,
      read,
    );
    expect(advocate.body).toMatchObject({
      advocate: { balances: [expect.objectContaining({ currency: 'USD', approved: '5.00' })] },
    });
  });
});
