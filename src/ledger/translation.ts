/** What a provider delivery means in the ledger's vocabulary, provider by provider. */
import { formatMoney, MoneyError, NO_CURRENCY, normaliseCurrency, parseMoney } from './money';
import type { LedgerChange, ParticipantRef, ReferralOrder, RewardValue } from './reward-ledger';
import type { WebhookFacts } from './webhook-facts';

export type Translation =
  | {
      readonly kind: 'changes';
      readonly changes: readonly LedgerChange[];
      /** Parts of the delivery that could not be read: left out, reported, the rest applies. */
      readonly problems: readonly string[];
    }
  | { readonly kind: 'not-understood'; readonly reason: string }
  | { readonly kind: 'ignored' };

export interface TranslationContext {
  /** `AppConfig.defaultCurrencies`: source or `*` → ISO code, for amounts sent without one. */
  readonly defaultCurrencies: ReadonlyMap<string, string>;
}

export type Translate = (webhook: WebhookFacts, context: TranslationContext) => Translation;

export const IGNORED: Translation = { kind: 'ignored' };

/** One part of a delivery that cannot be read (a malformed amount): dropped alone, and reported. */
export interface Unreadable {
  readonly type: 'unreadable';
  readonly reason: string;
}

export function changes(...list: readonly (LedgerChange | Unreadable)[]): Translation {
  const kept = list.filter((c): c is LedgerChange => c.type !== 'unreadable');
  const problems = list.flatMap((c) => (c.type === 'unreadable' ? [c.reason] : []));
  if (kept.length === 0 && problems.length > 0) return notUnderstood(problems.join('; '));
  return { kind: 'changes', changes: kept, problems };
}

/**
 * Builds one change of a delivery. A `MoneyError` (an amount or currency that
 * is not money) makes only this change unreadable: the delivery's participant,
 * referral and campaign changes still apply, and `what` names the part lost.
 */
export function readable<T extends LedgerChange>(what: string, build: () => T): T | Unreadable {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error;
    return { type: 'unreadable', reason: `${what} left out: ${error.message}` };
  }
}

export function notUnderstood(reason: string): Translation {
  return { kind: 'not-understood', reason };
}

/**
 * An amount with the currency the provider gave; else the configured default for
 * the source, then `*`; else `XXX`. Either fallback marks the currency assumed.
 */
export function moneyValue(
  amount: string | number,
  currency: string | null,
  source: string,
  context: TranslationContext,
): RewardValue & { kind: 'money' } {
  const assumed =
    currency === null
      ? (context.defaultCurrencies.get(source) ?? context.defaultCurrencies.get('*') ?? NO_CURRENCY)
      : null;
  const money = parseMoney(amount, assumed ?? normaliseCurrency(currency ?? ''));
  return {
    kind: 'money',
    amount: formatMoney(money),
    currency: money.currency,
    currencyAssumed: assumed !== null,
  };
}

/**
 * A qualifying order, its amount money like a reward's (the same currency
 * fallback). An amount that is not money is left out, with the order and its
 * referral kept, and reported as `unreadable`.
 */
export function orderOf(
  id: string,
  amount: string | number | null,
  currency: string | null,
  source: string,
  context: TranslationContext,
): { readonly order: ReferralOrder; readonly unreadable: readonly Unreadable[] } {
  const unsent = { id, amount: null, currency, currencyAssumed: false };
  if (amount === null) return { order: unsent, unreadable: [] };
  try {
    const money = moneyValue(amount, currency, source, context);
    return {
      order: {
        id,
        amount: money.amount,
        currency: money.currency,
        currencyAssumed: money.currencyAssumed,
      },
      unreadable: [],
    };
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error;
    const reason = `order ${id} amount left out: ${error.message}`;
    return { order: unsent, unreadable: [{ type: 'unreadable', reason }] };
  }
}

export function ref(webhook: WebhookFacts, providerId: string): ParticipantRef {
  return { provider: webhook.provider, tenant: webhook.tenantId, providerId };
}
