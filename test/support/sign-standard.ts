import { createHmac } from 'node:crypto';

/** Standard Webhooks v1 headers for a body (spec v1.0.0: HMAC-SHA256 over `id.timestamp.body`). */
export function signStandardWebhook(
  body: string,
  options: { id: string; timestamp: number; secret: string },
): Record<string, string> {
  const key = Buffer.from(options.secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key)
    .update(`${options.id}.${options.timestamp}.${body}`)
    .digest('base64');
  return {
    'webhook-id': options.id,
    'webhook-timestamp': String(options.timestamp),
    'webhook-signature': `v1,${signature}`,
  };
}
