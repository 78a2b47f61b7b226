import fc from 'fast-check';
import { canonicalEqual, canonicalJson, type CanonicalValue } from './canonical-json';

const json = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<CanonicalValue>;

describe('canonicalEqual', () => {
  it('agrees with comparing canonical JSON texts, for any two JSON values', () => {
    fc.assert(
      fc.property(
        json,
        json,
        (a, b) => canonicalEqual(a, b) === (canonicalJson(a) === canonicalJson(b)),
      ),
      { numRuns: 500 },
    );
  });

  it('treats key order as irrelevant and an undefined field as absent', () => {
    expect(canonicalEqual({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBe(true);
    expect(canonicalEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(canonicalEqual({ a: 1 }, { a: 2 })).toBe(false);
    expect(canonicalEqual([1, 2], [2, 1])).toBe(false);
    expect(canonicalEqual({ a: null }, { a: undefined })).toBe(false);
  });

  it('tells a value from the same value with one nested change', () => {
    fc.assert(
      fc.property(json, (a) => !canonicalEqual({ wrapped: a }, { wrapped: [a] })),
      { numRuns: 200 },
    );
  });
});
