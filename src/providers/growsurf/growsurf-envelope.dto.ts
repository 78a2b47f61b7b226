import { IsInt, IsNotEmpty, IsObject, IsString, Min } from 'class-validator';
import type { JsonObject } from '../../ledger/json';

/** `{event, createdAt, data}` (docs.growsurf.com, Events reference). */
export class GrowsurfEnvelope {
  @IsString()
  @IsNotEmpty()
  event!: string;

  /** Epoch milliseconds. */
  @IsInt()
  @Min(0)
  createdAt!: number;

  @IsObject()
  data!: JsonObject;
}
