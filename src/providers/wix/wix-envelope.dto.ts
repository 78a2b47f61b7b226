import { IsDefined, IsNotEmpty, IsString } from 'class-validator';
import type { JsonValue } from '../../ledger/json';

/**
 * The message envelope inside the JWT's `data` claim (docs/providers.md#wix-envelope);
 * nested layers are unwrapped apart.
 */
export class WixMessageEnvelope {
  @IsString()
  @IsNotEmpty()
  eventType!: string;

  @IsString()
  @IsNotEmpty()
  instanceId!: string;

  /** The domain event: a JSON string, or an object. */
  @IsDefined({ message: 'data (the domain event) is required' })
  data!: JsonValue;
}
