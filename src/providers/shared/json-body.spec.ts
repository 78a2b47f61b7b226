import fc from 'fast-check';
import { MAX_JSON_DEPTH, parseJson } from './json-body';
import { WebhookRejection } from '../../ledger/errors';

const FORBIDDEN = ['__proto__', 'constructor', 'prototype'];

/** The rule itself, walked over the whole parsed value: what parseJson must answer. */
function walkedAnswer(text: string): string {
  const walk = (value: unknown, depth: number): string | null => {
    if (value === null || typeof value !== 'object') return null;
    if (depth >= MAX_JSON_DEPTH) return 'too deep';
    if (Array.isArray(value)) {
      for (const item of value) {
        const found = walk(item, depth + 1);
        if (found !== null) return found;
      }
      return null;
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN.includes(key)) return `forbidden ${key}`;
      const found = walk((value as Record<string, unknown>)[key], depth + 1);
      if (found !== null) return found;
    }
    return null;
  };
  return walk(JSON.parse(text), 0) ?? 'accepted';
}

function parseJsonAnswer(text: string): string {
  try {
    parseJson(text);
    return 'accepted';
  } catch (error) {
    if (!(error instanceof WebhookRejection)) throw error;
    const forbidden = /forbidden key "([^"]+)"/.exec(error.detail);
    if (forbidden) return `forbidden ${forbidden[1]}`;
    if (error.detail.includes('nests deeper')) return 'too deep';
    return error.detail;
  }
}

/** Keys that are, spell with escapes, or merely contain the forbidden names. */
const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom(...FORBIDDEN, 'constructors', 'my__proto__', 'x', 'prototyp'),
);

const nested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

function escapeKey(name: string): string {
  return [...name].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
}

/** JSON.stringify, with every object key written as \u escapes when `escapeKeys`. */
function serialise(value: unknown, escapeKeys: boolean): string {
  if (Array.isArray(value))
    return `[${value.map((item) => serialise(item, escapeKeys)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(
      ([k, v]) =>
        `${escapeKeys ? `"${escapeKey(k)}"` : JSON.stringify(k)}:${serialise(v, escapeKeys)}`,
    );
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

describe('parseJson', () => {
  it('refuses exactly the bodies a walk of the whole value refuses (depth, forbidden keys)', () => {
    const value = fc.letrec((tie) => ({
      json: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 0 }),
        fc.array(tie('json'), { maxLength: 3 }),
        fc.dictionary(key, tie('json'), { maxKeys: 3 }),
      ),
    })).json;
    fc.assert(
      fc.property(value, fc.boolean(), (parsed, escaped) => {
        // With `escaped`, every key spelt with \u escapes: the same value once parsed.
        const text = serialise(parsed, escaped);
        expect(parseJsonAnswer(text)).toEqual(walkedAnswer(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses a forbidden key spelt with escapes, at any depth', () => {
    expect(parseJsonAnswer(`{"a":[{"${escapeKey('__proto__')}":1}]}`)).toBe('forbidden __proto__');
    expect(parseJsonAnswer('{"a":{"constructor":{}}}')).toBe('forbidden constructor');
    expect(parseJsonAnswer('{"text":"a constructor in a value is fine"}')).toBe('accepted');
  });

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses one more`, () => {
    expect(parseJsonAnswer(nested(MAX_JSON_DEPTH))).toBe('accepted');
    expect(parseJsonAnswer(nested(MAX_JSON_DEPTH + 1))).toBe('too deep');
    // Brackets inside strings do not nest, however many there are.
    expect(parseJsonAnswer(JSON.stringify({ s: '{['.repeat(100) }))).toBe('accepted');
  });
});
