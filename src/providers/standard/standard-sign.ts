/** Standard Webhooks v1 headers for a body (spec v1.0.0: HMAC-SHA256 over `id.timestamp.body`). */
import { createHmac } from 'node:crypto';

export interface StandardSigningOptions {
  readonly id: string;
  /** Unix seconds. */
  readonly timestamp: number;
  /** `whsec_` + base64 of the key bytes. */
  readonly secret: string;
  /** Svix sends the same headers as `svix-id`, `svix-timestamp`, `svix-signature`. */
  readonly prefix?: 'webhook' | 'svix';
}

export function standardSignature(body: string | Buffer, options: StandardSigningOptions): string {
  const key = Buffer.from(options.secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key)
    .update(`${options.id}.${options.timestamp}.`)
    .update(body)
    .digest('base64');
  return `v1,${signature}`;
}

export function signStandardWebhook(
  body: string | Buffer,
  options: StandardSigningOptions,
): Record<string, string> {
  const prefix = options.prefix ?? 'webhook';
  return {
    [`${prefix}-id`]: options.id,
    [`${prefix}-timestamp`]: String(options.timestamp),
    [`${prefix}-signature`]: standardSignature(body, options),
  };
}
