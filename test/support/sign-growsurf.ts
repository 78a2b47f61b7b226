import { createHmac } from 'node:crypto';

/** The `GrowSurf-Signature` header for a body, as GrowSurf computes it. */
export function signGrowsurf(body: string | Buffer, secret: string, timestampMs: number): string {
  const v = createHmac('sha256', secret).update(`${timestampMs}.`).update(body).digest('hex');
  return `ts=${timestampMs},v=${v}`;
}
