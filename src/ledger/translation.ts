/** What a provider delivery means in the ledger's vocabulary, provider by provider. */
import { formatMoney, NO_CURRENCY, normaliseCurrency, parseMoney } from './money';
import type { LedgerChange, ParticipantRef, RewardValue } from './reward-ledger';
import type { WebhookFacts } from './webhook-facts';

export type Translation =
  | { readonly kind: 'changes'; readonly changes: readonly LedgerChange[] }
  | { readonly kind: 'not-understood'; readonly reason: string }
  | { readonly kind: 'ignored' };

export interface TranslationContext {
  /** `AppConfig.defaultCurrencies`: source or `*` → ISO code, for amounts sent without one. */
  readonly defaultCurrencies: ReadonlyMap<string, string>;
}

export type Translate = (webhook: WebhookFacts, context: TranslationContext) => Translation;

export const IGNORED: Translation = { kind: 'ignored' };

export function changes(...list: readonly LedgerChange[]): Translation {
  return { kind: 'changes', changes: list };
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

export function ref(webhook: WebhookFacts, providerId: string): ParticipantRef {
  return { provider: webhook.provider, tenant: webhook.tenantId, providerId };
}
