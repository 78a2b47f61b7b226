import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signGrowsurf } from './growsurf-sign';
import type { NamedSecret } from '../../config/app-config';
import { parseGrowsurfSignatureHeader, verifyGrowsurfSignature } from './growsurf-signature';
import { rejection } from '../../../test/support/expect-rejection';

const SECRET = `test-growsurf-secret-${randomBytes(9).toString('base64url')}`;
const SECRETS: NamedSecret[] = [{ id: 'ct8f71', secret: SECRET }];
const NOW = new Date('2026-03-01T12:00:00.000Z');
const TOLERANCE_MS = 300_000;
const BODY = Buffer.from(
  readFileSync(join(__dirname, 'fixtures', 'participant-reached-goal-referrer.json'), 'utf8'),
);

const verify = (header: string | undefined, body: Buffer = BODY, secrets = SECRETS): string =>
  verifyGrowsurfSignature(body, header, secrets, NOW, TOLERANCE_MS);

describe('GrowSurf signature', () => {
  it('names the secret that signed "ts.body"', () => {
    expect(verify(signGrowsurf(BODY, SECRET, NOW.getTime()))).toBe('ct8f71');
  });

  it('refuses a body changed by one byte with 401', () => {
    const tampered = Buffer.from(BODY);
    tampered[BODY.indexOf('ccm2ue')] = 'd'.charCodeAt(0);
    expect(
      rejection(() => verify(signGrowsurf(BODY, SECRET, NOW.getTime()), tampered)).status,
    ).toBe(401);
  });

  it('refuses a signature made with another secret with 401', () => {
    const header = signGrowsurf(
      BODY,
      `test-growsurf-other-${randomBytes(6).toString('hex')}`,
      NOW.getTime(),
    );
    expect(rejection(() => verify(header)).status).toBe(401);
  });

  it('refuses a timestamp moved after signing with 401', () => {
    const header = signGrowsurf(BODY, SECRET, NOW.getTime()).replace(
      `ts=${NOW.getTime()}`,
      `ts=${NOW.getTime() - 1}`,
    );
    expect(rejection(() => verify(header)).status).toBe(401);
  });

  it.each([
    ['stale', -TOLERANCE_MS - 1, /old/],
    ['future', TOLERANCE_MS + 1, /in the future/],
  ])('refuses a %s timestamp just outside the window with 401', (_case, offset, reason) => {
    const error = rejection(() => verify(signGrowsurf(BODY, SECRET, NOW.getTime() + offset)));
    expect(error.status).toBe(401);
    expect(error.detail).toMatch(reason);
  });

  it.each([-TOLERANCE_MS, TOLERANCE_MS])(
    'accepts a timestamp at the edge of the window (%d ms)',
    (offset) => {
      expect(verify(signGrowsurf(BODY, SECRET, NOW.getTime() + offset))).toBe('ct8f71');
    },
  );

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['without v', `ts=${NOW.getTime()}`],
    ['without ts', 'v=' + 'a'.repeat(64)],
    ['with a short v', `ts=${NOW.getTime()},v=abc`],
    ['with a timestamp in seconds', signGrowsurf(BODY, SECRET, Math.floor(NOW.getTime() / 1000))],
    ['with a repeated ts', `ts=1,${signGrowsurf(BODY, SECRET, NOW.getTime())}`],
  ])('refuses a header %s with 401', (_case, header) => {
    expect(rejection(() => verify(header)).status).toBe(401);
  });

  it('accepts the digest in upper-case hex and with spaces around the parts', () => {
    const [ts, v] = signGrowsurf(BODY, SECRET, NOW.getTime()).split(',');
    expect(verify(`${ts}, v=${v!.slice(2).toUpperCase()}`)).toBe('ct8f71');
  });

  it("accepts a signature over JSON.stringify(parsed), as GrowSurf's Node example makes it", () => {
    const compact = JSON.stringify(JSON.parse(BODY.toString('utf8')));
    expect(verify(signGrowsurf(compact, SECRET, NOW.getTime()))).toBe('ct8f71');
  });

  it('tries every candidate secret and names the one that matched', () => {
    const other = { id: '*', secret: `test-growsurf-any-${randomBytes(6).toString('hex')}` };
    const header = signGrowsurf(BODY, other.secret, NOW.getTime());
    expect(verify(header, BODY, [...SECRETS, other])).toBe('*');
  });

  it('re-verifies a stored delivery against the time it was received', () => {
    const receivedAt = new Date('2025-01-01T00:00:00.000Z');
    const header = signGrowsurf(BODY, SECRET, receivedAt.getTime() - 2_000);
    const stored = BODY.toString('utf8');
    expect(
      verifyGrowsurfSignature(Buffer.from(stored), header, SECRETS, receivedAt, TOLERANCE_MS),
    ).toBe('ct8f71');
  });

  it('reads the usual header the same as the same header written any other accepted way', () => {
    const digits = fc.stringMatching(/^\d{1,15}$/);
    const hex = fc.stringMatching(/^[0-9a-f]{64}$/);
    fc.assert(
      fc.property(digits, hex, (ts, v) => {
        const usual = parseGrowsurfSignatureHeader(`ts=${ts},v=${v}`);
        expect(usual).toEqual({ timestampMs: Number(ts), digests: [Buffer.from(v, 'hex')] });
        // Spaces, the other order, upper case: forms only the general reading takes.
        expect(parseGrowsurfSignatureHeader(` ts=${ts} , v=${v} `)).toEqual(usual);
        expect(parseGrowsurfSignatureHeader(`v=${v},ts=${ts}`)).toEqual(usual);
        expect(parseGrowsurfSignatureHeader(`ts=${ts},v=${v.toUpperCase()}`)).toEqual(usual);
      }),
      { numRuns: 500 },
    );
  });
});
