import { createHmac } from 'node:crypto';

/** The `GrowSurf-Signature` header for a body: `ts=<ms>,v=<hex HMAC-SHA256 of "ts.body">`. */
export function signGrowsurf(body: string | Buffer, secret: string, tsMs: number): string {
  const v = createHmac('sha256', secret).update(`${tsMs}.`).update(body).digest('hex');
  return `ts=${tsMs},v=${v}`;
}
