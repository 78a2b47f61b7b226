import fc from 'fast-check';
import {
  addMoney,
  formatMinorUnits,
  formatMoney,
  MAX_MINOR,
  minorUnitExponent,
  MoneyError,
  parseMinorUnits,
  parseMoney,
  parsePoints,
} from './money';

describe('money', () => {
  it.each([
    ['5.00', 'USD', 500n],
    [10.0, 'USD', 1000n],
    [35.03, 'USD', 3503n],
    ['49.90', 'EUR', 4990n],
    [0.1, 'USD', 10n],
    [54.2, 'USD', 5420n],
    ['1234', 'JPY', 1234n],
    ['1.234', 'KWD', 1234n],
    ['-5.5', 'USD', -550n],
    ['.5', 'USD', 50n],
    ['5.000', 'USD', 500n],
    ['1.5e2', 'USD', 15000n],
    [1e-2, 'USD', 1n],
  ])('reads %p %s as %p minor units exactly', (value, currency, minor) => {
    expect(parseMoney(value, currency)).toEqual({ minor, currency });
  });

  it.each([
    [Number.NaN, 'USD'],
    [Number.POSITIVE_INFINITY, 'USD'],
    ['5.001', 'USD'],
    ['5.5', 'JPY'],
    ['1.2345', 'BHD'],
    ['1e31', 'USD'],
    ['1e-31', 'USD'],
    ['1e20', 'USD'],
    ['5,00', 'USD'],
    ['', 'USD'],
    ['$25', 'USD'],
    ['0x10', 'USD'],
    ['5.00', 'dollars'],
  ])('refuses %p %s', (value, currency) => {
    expect(() => parseMoney(value, currency)).toThrow(MoneyError);
  });

  it('knows the minor unit of currencies without cents and with mills', () => {
    expect([minorUnitExponent('JPY'), minorUnitExponent('BHD'), minorUnitExponent('USD')]).toEqual([
      0, 3, 2,
    ]);
  });

  it('formats with exactly the minor digits of the currency', () => {
    expect(formatMoney({ minor: 500n, currency: 'USD' })).toBe('5.00');
    expect(formatMoney({ minor: 5n, currency: 'USD' })).toBe('0.05');
    expect(formatMoney({ minor: -5n, currency: 'KWD' })).toBe('-0.005');
    expect(formatMoney({ minor: 1234n, currency: 'JPY' })).toBe('1234');
  });

  it('refuses to add amounts in different currencies', () => {
    expect(() => addMoney(parseMoney('1', 'USD'), parseMoney('1', 'EUR'))).toThrow(MoneyError);
  });

  it('counts points as whole numbers only', () => {
    expect(parsePoints(1000)).toBe(1000n);
    expect(parsePoints('1000.0')).toBe(1000n);
    expect(() => parsePoints(10.5)).toThrow(MoneyError);
  });

  const exponent = fc.constantFrom(0, 2, 3);
  const minor = fc.bigInt({ min: -MAX_MINOR, max: MAX_MINOR });

  it('round trips: parse(format(x)) is x for every representable amount', () => {
    fc.assert(
      fc.property(minor, exponent, (value, e) => {
        expect(parseMinorUnits(formatMinorUnits(value, e), e)).toBe(value);
      }),
    );
  });

  it('round trips: format(parse(s)) is s for every canonical decimal string', () => {
    const canonical = fc
      .tuple(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.integer({ min: 0, max: 99 }), fc.boolean())
      .map(([whole, cents, negative]) => {
        const text = `${whole}.${String(cents).padStart(2, '0')}`;
        return negative && text !== '0.00' ? `-${text}` : text;
      });
    fc.assert(
      fc.property(canonical, (text) => {
        expect(formatMoney(parseMoney(text, 'USD'))).toBe(text);
      }),
    );
  });

  it('reads any number with at most two decimals to the cent its shortest string shows', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (cents) => {
        const asNumber = cents / 100;
        expect(parseMoney(asNumber, 'USD').minor).toBe(BigInt(cents));
      }),
    );
  });

  it('sums exactly where floating point drifts (0.1 + 0.2)', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    const sum = addMoney(parseMoney(0.1, 'USD'), parseMoney(0.2, 'USD'));
    expect(formatMoney(sum)).toBe('0.30');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e9 }), { maxLength: 50 }), (cents) => {
        const total = cents
          .map((c) => parseMoney((c / 100).toFixed(2), 'EUR'))
          .reduce(addMoney, { minor: 0n, currency: 'EUR' });
        expect(total.minor).toBe(cents.reduce((a, c) => a + BigInt(c), 0n));
      }),
    );
  });
});
