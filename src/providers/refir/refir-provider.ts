import { translateGenericReferral } from '../shared/generic-referral-translate';
import type { ProviderModule } from '../provider-module';
import { createRefirIntake } from './refir-intake';

export const refirProvider: ProviderModule<'refir'> = {
  createIntake: createRefirIntake,
  translate: translateGenericReferral,
};
