import { translateGenericReferral } from '../shared/generic-referral-translate';
import type { ProviderModule } from '../provider-module';
import { createRefirIntake } from './refir-intake';
import { storedJsonPayload } from '../shared/json-body';

export const refirProvider: ProviderModule<'refir'> = {
  createIntake: createRefirIntake,
  translate: translateGenericReferral,
  readPayload: (delivery) => storedJsonPayload(delivery.body),
};
