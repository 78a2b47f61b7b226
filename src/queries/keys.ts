import { ApiProperty } from '@nestjs/swagger';
import { InvalidRequest } from '../ledger/errors';
import { isProvider, PROVIDERS } from '../ledger/webhook-received';

/** The path segments `:provider/:tenant/:id` that name a participant or a campaign. */
export class KeyPath {
  @ApiProperty()
  readonly provider!: string;

  @ApiProperty()
  readonly tenant!: string;

  @ApiProperty()
  readonly id!: string;
}

/** `provider:tenant:id` from path segments; a tenant of `-` means "none". */
export function keyFromPath({ provider, tenant, id }: KeyPath): string {
  if (!isProvider(provider)) {
    throw new InvalidRequest(`provider must be one of ${PROVIDERS.join(', ')}`);
  }
  if (tenant === '' || id === '') throw new InvalidRequest('tenant and id are required');
  return `${provider}:${tenant}:${id}`;
}

/** The path as the client wrote it, for an answer that names what it did not find. */
export function shownPath({ provider, tenant, id }: KeyPath): string {
  return `${provider}/${tenant}/${id}`;
}

/** Converts bigints for JSON (positions and counters are bigint inside). */
export function jsonSafe<T>(value: T): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
  );
}
