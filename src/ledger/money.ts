/**
 * Exact money: integer minor units as a bigint plus an ISO 4217 currency.
 * Providers send "5.00", 10.0 and 35.03 for the same kind of field; a number is
 * read through its shortest decimal string (`String(35.03)` is "35.03"), never
 * through float arithmetic.
 */

export interface Money {
  /** Amount in the currency's minor unit (cents for USD, yen for JPY, fils for BHD). */
  readonly minor: bigint;
  readonly currency: string;
}

/**
 * ISO 4217 "no currency": recorded when an amount arrives without one and no
 * default applies. ISO gives it no minor unit; two decimals keep "5.00" readable.
 */
export const NO_CURRENCY = 'XXX';

const THREE_DECIMALS = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);
const NO_DECIMALS = new Set([
  'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND',
  'VUV', 'XAF', 'XOF', 'XPF',
]); // prettier-ignore

/** Largest magnitude kept, in minor units: fits a signed 64-bit SQLite INTEGER. */
export const MAX_MINOR = 2n ** 63n - 1n;
/** A decimal exponent beyond this is refused before any digit is expanded. */
const MAX_EXPONENT = 30;

export class MoneyError extends Error {
  override readonly name = 'MoneyError';
}

export function minorUnitExponent(currency: string): number {
  if (NO_DECIMALS.has(currency)) return 0;
  if (THREE_DECIMALS.has(currency)) return 3;
  return 2;
}

export function isCurrencyCode(value: string): boolean {
  return /^[A-Z]{3}$/.test(value);
}

/** The currency code as ISO writes it, or a MoneyError. */
export function normaliseCurrency(value: string): string {
  const code = value.trim().toUpperCase();
  if (!isCurrencyCode(code)) throw new MoneyError(`not an ISO 4217 currency code: ${value}`);
  return code;
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$|^([+-]?)\.(\d+)(?:[eE]([+-]?\d+))?$/;

/**
 * Parses a decimal amount exactly. Trailing zeros beyond the currency's minor
 * unit are accepted ("5.000" USD is 500 cents); a non-zero digit beyond it is
 * refused, as are NaN, Infinity and magnitudes beyond MAX_MINOR.
 */
export function parseMoney(value: string | number, currency: string): Money {
  const code = normaliseCurrency(currency);
  return { minor: parseMinorUnits(value, minorUnitExponent(code)), currency: code };
}

export function parseMinorUnits(value: string | number, exponent: number): bigint {
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  const match = DECIMAL.exec(text);
  if (match === null) throw new MoneyError(`not a decimal amount: ${JSON.stringify(value)}`);
  const sign = match[1] ?? match[5] ?? '';
  const whole = match[2] ?? '0';
  const fraction = match[3] ?? match[6] ?? '';
  const power = Number(match[4] ?? match[7] ?? '0');
  if (Math.abs(power) > MAX_EXPONENT) throw new MoneyError(`exponent out of range: ${text}`);
  // digits * 10^(power - fraction.length) expressed in minor units
  const digits = (whole + fraction).replace(/^0+(?=\d)/, '');
  const shift = power - fraction.length + exponent;
  let minor: bigint;
  if (shift >= 0) {
    minor = BigInt(digits) * 10n ** BigInt(shift);
  } else {
    const cut = -shift;
    const kept = digits.length > cut ? digits.slice(0, digits.length - cut) : '0';
    const dropped = digits.slice(Math.max(0, digits.length - cut));
    if (/[1-9]/.test(dropped)) {
      throw new MoneyError(`more decimals than the currency's minor unit allows: ${text}`);
    }
    minor = BigInt(kept);
  }
  if (minor > MAX_MINOR) throw new MoneyError(`amount out of range: ${text}`);
  return sign === '-' ? -minor : minor;
}

function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new MoneyError(`not a finite amount: ${value}`);
  return String(value);
}

/** The decimal string with exactly the currency's minor digits: 500n USD is "5.00". */
export function formatMoney(money: Money): string {
  return formatMinorUnits(money.minor, minorUnitExponent(money.currency));
}

export function formatMinorUnits(minor: bigint, exponent: number): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) {
    throw new MoneyError(`cannot add ${a.currency} to ${b.currency}`);
  }
  return { minor: a.minor + b.minor, currency: a.currency };
}

export function zeroMoney(currency: string): Money {
  return { minor: 0n, currency: normaliseCurrency(currency) };
}

/** Loyalty points are whole counts: "1000", 1000 and 1000.0 are accepted, 10.5 is not. */
export function parsePoints(value: string | number): bigint {
  return parseMinorUnits(value, 0);
}
