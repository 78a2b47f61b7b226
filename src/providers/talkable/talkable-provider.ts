import type { ProviderModule } from '../provider-module';
import { createTalkableIntake } from './talkable-intake';
import { translateTalkable } from './talkable-translate';

export const talkableProvider: ProviderModule<'talkable'> = {
  createIntake: createTalkableIntake,
  translate: translateTalkable,
};
