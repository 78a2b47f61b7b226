import { notUnderstood } from '../../ledger/translation';
import { translateGenericReferral } from '../shared/generic-referral-translate';
import type { ProviderModule } from '../provider-module';
import { createStandardWebhooksIntake } from './standard-intake';
import { isStandardReferral } from './standard-referral';
import { storedJsonPayload } from '../shared/json-body';

export const standardProvider: ProviderModule<'standard'> = {
  createIntake: createStandardWebhooksIntake,
  translate: (webhook, context) =>
    isStandardReferral(webhook.providerEventType)
      ? translateGenericReferral(webhook, context)
      : notUnderstood(`Standard Webhooks ${webhook.providerEventType} is not a referral event`),
  readPayload: (delivery) => storedJsonPayload(delivery.body),
};
