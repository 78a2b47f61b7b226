import type { ProviderModule } from '../provider-module';
import { createGrowsurfIntake } from './growsurf-intake';
import { translateGrowsurf } from './growsurf-translate';
import { storedJsonPayload } from '../shared/json-body';

export const growsurfProvider: ProviderModule<'growsurf'> = {
  createIntake: createGrowsurfIntake,
  translate: translateGrowsurf,
  readPayload: (delivery) => storedJsonPayload(delivery.body),
};
