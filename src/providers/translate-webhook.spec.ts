import { reviewRequestsProjection } from '../projections/reviews/review-requests.projection';
import { ledgerProjection } from '../projections/rewards/ledger.projection';
import { InMemoryProjector } from '../projections/testing/given-when-then';
import {
  fixture,
  growsurf,
  recorded,
  talkable,
  webhook,
  wix,
  wixEvent,
} from '../projections/testing/recorded-webhooks';
import { unsubscribesProjection } from '../projections/unsubscribes/unsubscribes.projection';

const ledger = ledgerProjection({ defaultCurrencies: new Map([['*', 'USD']]) });
const all = [ledger, reviewRequestsProjection, unsubscribesProjection];

/**
 * `understood` is what the intake knew when it recorded a delivery, frozen in
 * the immutable event. Whether a projection can read it is decided again on
 * every fold, so that a translation fix plus a rebuild projects deliveries an
 * older version could not read, and a type no projection reads stays reported.
 */
describe('understanding is decided at fold time, not read from the stored flag', () => {
  it('projects a GrowSurf reward recorded understood: false by an older intake', () => {
    const event = growsurf('participant-reached-goal-approved', { understood: false });
    const projector = new InMemoryProjector(all).apply(recorded(event, 1n));
    expect(projector.notUnderstood).toEqual([]);
    expect(projector.get('reward', 'growsurf:ct8f71:k3v9pd')).toMatchObject({
      status: 'approved',
    });
  });

  it('projects a Talkable unsubscribe recorded understood: false into the unsubscribes', () => {
    const event = talkable('unsubscribe', { understood: false });
    const projector = new InMemoryProjector([unsubscribesProjection]).apply(recorded(event, 1n));
    expect(projector.notUnderstood).toEqual([]);
    expect(projector.all('unsubscribe')).toHaveLength(1);
  });

  it('projects a Wix review request recorded understood: false', () => {
    const event = wix('review-request-created', { understood: false });
    const projector = new InMemoryProjector([reviewRequestsProjection]).apply(recorded(event, 1n));
    expect(projector.notUnderstood).toEqual([]);
    expect(projector.all('review-request')).toHaveLength(1);
  });

  it('reports a Wix referral event of a slug nobody reads although it was recorded understood: true', () => {
    const updated = { ...fixture('wix', 'referral-event-action'), slug: 'updated' };
    const projector = new InMemoryProjector([ledger]).apply(
      recorded(wixEvent(updated, { understood: true }), 1n),
    );
    expect(projector.notUnderstood).toEqual([expect.objectContaining({ projection: 'ledger' })]);
    expect(projector.documents.size).toBe(0);
  });

  it('reports a Standard Webhooks event that is not a referral although it was recorded understood: true', () => {
    const data = { id: 'in_1', referrerId: 'u-1', friendId: 'u-2' };
    const event = webhook(
      'standard',
      'invoice.paid',
      { type: 'invoice.paid', data },
      {
        understood: true,
      },
    );
    const projector = new InMemoryProjector([ledger]).apply(recorded(event, 1n));
    expect(projector.notUnderstood).toEqual([expect.objectContaining({ projection: 'ledger' })]);
    expect(projector.documents.size).toBe(0);
  });

  it('reports a Talkable Custom App delivery as not understood by its type, whatever the flag says', () => {
    const payload = fixture('talkable', 'custom-app-referral-status-change');
    for (const understood of [true, false]) {
      const event = webhook('talkable', 'custom_app', payload, {
        tenantId: 'test-site',
        understood,
      });
      const projector = new InMemoryProjector([ledger]).apply(recorded(event, 1n));
      expect(projector.notUnderstood).toHaveLength(1);
      expect(projector.documents.size).toBe(0);
    }
  });
});
