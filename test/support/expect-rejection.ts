import { WebhookRejection } from '../../src/ledger/errors';

/** Runs a delivery that must be refused and returns the rejection, to assert its status and words. */
export function rejection(act: () => unknown): WebhookRejection {
  try {
    act();
  } catch (error) {
    if (error instanceof WebhookRejection) return error;
    throw error;
  }
  throw new Error('expected a WebhookRejection, but the delivery was accepted');
}
