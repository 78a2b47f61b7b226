import { InvalidRequest } from '../ledger/errors';
import type { Provider } from '../ledger/webhook-received';

const PROVIDERS: readonly Provider[] = ['wix', 'talkable', 'growsurf', 'refir', 'standard'];

/** `provider:tenant:id` from path segments; a tenant of `-` means "none". */
export function keyFromPath(provider: string, tenant: string, id: string): string {
  if (!(PROVIDERS as readonly string[]).includes(provider)) {
    throw new InvalidRequest(`provider must be one of ${PROVIDERS.join(', ')}`);
  }
  if (tenant === '' || id === '') throw new InvalidRequest('tenant and id are required');
  return `${provider}:${tenant}:${id}`;
}

/** Converts bigints for JSON (positions and counters are bigint inside). */
export function jsonSafe<T>(value: T): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
  );
}
