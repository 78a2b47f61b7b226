import { InMemoryProjector } from '../../projections/testing/given-when-then';
import { recorded, webhook } from '../../projections/testing/recorded-webhooks';
import { ledgerProjection } from '../../projections/rewards/ledger.projection';

const projection = ledgerProjection({ defaultCurrencies: new Map() });

describe('Refir and Standard Webhooks into the ledger', () => {
  it('projects a Refir lead with its referring user as a pending referral', () => {
    const event = webhook('refir', 'referral', {
      lead: { email: 'Lead@Example.com', name: 'Lea' },
      referrer: { id: 'u-7', email: 'ref@example.com' },
      message: 'new lead',
    });
    const projector = new InMemoryProjector([projection]).apply(recorded(event, 1n));
    expect(projector.all('referral')).toEqual([
      expect.objectContaining({
        advocateKey: 'refir:-:u-7',
        friendKey: 'refir:-:lead@example.com',
        status: 'pending',
      }),
    ]);
  });

  it('reads the status of a Standard Webhooks referral from its event type', () => {
    const event = webhook(
      'standard',
      'referral.approved',
      { type: 'referral.approved', data: { id: 'r1', referrerId: 'a', referredId: 'b' } },
      { tenantId: 'acme' },
    );
    const projector = new InMemoryProjector([projection]).apply(recorded(event, 1n));
    expect(projector.get('referral', 'standard:acme:r1')).toMatchObject({ status: 'approved' });
  });

  it('reports a payload without a recognisable referral as not understood, keeping nothing', () => {
    const event = webhook('standard', 'referral.created', {
      type: 'referral.created',
      data: { foo: 1 },
    });
    const projector = new InMemoryProjector([projection]).apply(recorded(event, 1n));
    expect(projector.notUnderstood).toEqual([
      expect.objectContaining({ reason: expect.stringContaining('no referred person') }),
    ]);
    expect(projector.documents.size).toBe(0);
  });
});
