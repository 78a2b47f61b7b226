import fc from 'fast-check';
import { canonicalJson, type CanonicalValue } from './canonical-json';

/** The definition, written the slow and obvious way: keys in string order at every level. */
function reference(value: CanonicalValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${(value as CanonicalValue[]).map(reference).join(',')}]`;
  const object = value as { readonly [key: string]: CanonicalValue | undefined };
  return `{${Object.keys(object)
    .sort()
    .filter((key) => object[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${reference(object[key] as CanonicalValue)}`)
    .join(',')}}`;
}

describe('canonicalJson', () => {
  it('matches the definition for any JSON value, however its keys were inserted', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<CanonicalValue>, (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 1000 },
    );
  });

  it('sorts keys as strings, also integer-like ones that JavaScript enumerates first', () => {
    expect(canonicalJson({ b: 1, a: { y: [{ d: 1, c: 2 }], x: null } })).toBe(
      '{"a":{"x":null,"y":[{"c":2,"d":1}]},"b":1}',
    );
    expect(canonicalJson({ '9': 'nine', '10': 'ten', a: 1 })).toBe('{"10":"ten","9":"nine","a":1}');
    expect(canonicalJson({ '1': 1, '2': 2 })).toBe('{"1":1,"2":2}');
  });

  it('keeps a "__proto__" member of parsed JSON as a member', () => {
    const parsed = JSON.parse('{"z":1,"__proto__":{"b":2,"a":1}}') as CanonicalValue;
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"a":1,"b":2},"z":1}');
  });

  it('copies only what is out of order, and leaves an ordered value as it is', () => {
    expect(canonicalJson({ a: [1, { z: 1, y: 2 }], b: { c: 1 } })).toBe(
      '{"a":[1,{"y":2,"z":1}],"b":{"c":1}}',
    );
    const parsed = JSON.parse('{"__proto__":{"b":2,"a":1},"z":1}') as CanonicalValue;
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"a":1,"b":2},"z":1}');
    expect(canonicalJson({ '1': { b: 1, a: 2 }, '2': 2 })).toBe('{"1":{"a":2,"b":1},"2":2}');
  });

  it('leaves out undefined members, in sorted and unsorted objects alike', () => {
    expect(canonicalJson({ a: 1, b: undefined, c: 3 })).toBe('{"a":1,"c":3}');
    expect(canonicalJson({ c: 3, b: undefined, a: 1 })).toBe('{"a":1,"c":3}');
  });
});
