import type { ProviderModule } from '../provider-module';
import { createGrowsurfIntake } from './growsurf-intake';
import { translateGrowsurf } from './growsurf-translate';

export const growsurfProvider: ProviderModule<'growsurf'> = {
  createIntake: createGrowsurfIntake,
  translate: translateGrowsurf,
};
