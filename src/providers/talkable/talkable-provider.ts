import type { ProviderModule } from '../provider-module';
import { createTalkableIntake } from './talkable-intake';
import { translateTalkable } from './talkable-translate';
import { parseJsonObject, storedJsonPayload } from '../shared/json-body';
import { storedFormPayload } from './talkable-form';

export const talkableProvider: ProviderModule<'talkable'> = {
  createIntake: createTalkableIntake,
  translate: translateTalkable,
  // A legacy form keeps its payload as a JSON field; a Custom App body is the JSON.
  readPayload: (delivery, verification) =>
    verification.method === 'talkable-key'
      ? parseJsonObject(storedFormPayload(delivery.body), 'payload')
      : storedJsonPayload(delivery.body),
};
