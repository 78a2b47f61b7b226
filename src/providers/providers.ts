/** Every provider's folder, one entry each, typed against `Provider`: a new one is added here. */
import type { Provider } from '../ledger/webhook-received';
import { growsurfProvider } from './growsurf/growsurf-provider';
import type { ProviderModule } from './provider-module';
import { refirProvider } from './refir/refir-provider';
import { standardProvider } from './standard/standard-provider';
import { talkableProvider } from './talkable/talkable-provider';
import { wixProvider } from './wix/wix-provider';

export const PROVIDER_MODULES: { readonly [P in Provider]: ProviderModule<P> } = {
  wix: wixProvider,
  talkable: talkableProvider,
  growsurf: growsurfProvider,
  refir: refirProvider,
  standard: standardProvider,
};
