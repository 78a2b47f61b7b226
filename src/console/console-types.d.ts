/**
 * Types of the console's browser modules (checked with `npm run typecheck`
 * through src/console/tsconfig.browser.json; nothing here is emitted): what the
 * DOM helpers take, and the API answers the pages read, as
 * src/http/response-schemas.ts documents them.
 */

/**
 * What the DOM helpers take as children: `N` is the DOM's Node, given by the
 * browser modules (this file is also in the server's program, which has no DOM).
 */
export type Child<N> = N | string | number | null | undefined | boolean | readonly Child<N>[];

export type Scope = 'admin' | 'read';
export interface Session {
  readonly scope: Scope;
}

export interface Paged<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

export interface ReferralCounts {
  readonly total: number;
  readonly pending: number;
  readonly approved: number;
  readonly voided: number;
  readonly other: number;
}

export type RewardValue =
  | {
      readonly kind: 'money';
      readonly amount: string;
      readonly currency: string;
      readonly currencyAssumed: boolean;
    }
  | { readonly kind: 'points'; readonly points: string }
  | { readonly kind: 'none' };

export interface Campaign {
  readonly key: string;
  readonly provider: string;
  readonly tenant: string | null;
  readonly providerCampaignId: string;
  readonly name: string | null;
  readonly status: 'active' | 'ended';
  readonly endedAt: number | null;
  readonly winners: readonly string[];
  readonly rewardConfig: readonly {
    readonly id: string;
    readonly title: string | null;
    readonly type: string | null;
    readonly description: string | null;
    readonly couponCode: string | null;
    readonly conversionsRequired: number | null;
  }[];
}

export interface CampaignView {
  readonly campaign: Campaign;
  readonly referrals: ReferralCounts;
}

export interface ReferralDay extends ReferralCounts {
  readonly day: string;
}

export interface LeaderboardRow {
  readonly place: number;
  readonly participantKey: string;
  readonly email: string | null;
  readonly name: string | null;
  readonly approved: number;
  readonly total: number;
}

export interface Participant {
  readonly key: string;
  readonly provider: string;
  readonly tenant: string | null;
  readonly providerId: string;
  readonly email: string | null;
  readonly name: string | null;
  readonly campaignKeys: readonly string[];
  readonly unsubscribed: boolean;
  readonly unsubscribedAt: string | null;
  readonly fraud: { readonly level: string | null } | null;
  readonly isWinner: boolean;
}

export interface Referral {
  readonly key: string;
  readonly advocateKey: string | null;
  readonly friendKey: string | null;
  readonly status: string;
}

export interface Reward {
  readonly key: string;
  readonly providerRewardId: string;
  readonly side: 'advocate' | 'friend' | null;
  readonly kind: 'cash' | 'coupon' | 'points' | 'other';
  readonly value: RewardValue;
  readonly status: 'pending' | 'approved' | 'paid' | 'voided';
  readonly couponCode: string | null;
  readonly description: string | null;
}

export interface Balance {
  readonly currency: string;
  readonly currencyAssumed: boolean;
  readonly pending: string;
  readonly approved: string;
  readonly paid: string;
  readonly voided: string;
}

export interface ParticipantView {
  readonly participant: Participant;
  readonly advocate: {
    readonly referrals: ReferralCounts;
    readonly balances: readonly Balance[];
    readonly points: { readonly rewards: number; readonly total: string };
    readonly coupons: readonly Reward[];
  };
  readonly friend: { readonly referredBy: readonly Referral[] };
  readonly rewards: readonly Reward[];
}

export interface Verification {
  readonly method: string;
  readonly signed: boolean;
  readonly keyId: string;
}

export interface ExplainedEntry {
  readonly position: string;
  readonly eventId: string;
  readonly providerType: string;
  readonly receivedAt: string;
  readonly entityKey: string;
  readonly outcome: 'applied' | 'unchanged' | 'duplicate' | 'superseded';
  readonly detail: {
    readonly previous?: string | null;
    readonly resulting?: string | null;
    readonly value?: RewardValue;
  };
  readonly verification: Verification | null;
}

export interface Explained {
  readonly entries: readonly ExplainedEntry[];
}

export interface StoredDelivery {
  readonly eventId: string;
  readonly position: string;
  readonly recordedAt: string;
  readonly delivery: {
    readonly provider: string;
    readonly source: string;
    readonly providerEventType: string;
    readonly tenantId: string | null;
    readonly receivedAt: string;
    readonly understood: boolean;
    readonly verification: Verification;
    readonly payload: unknown;
    readonly delivery: {
      readonly headers?: Readonly<Record<string, string>>;
      readonly body: string;
    };
  };
}

export interface Reverification {
  readonly result: 'verified' | 'failed' | 'not-verifiable';
  readonly method: string;
  readonly checked: string;
  readonly keyId?: string;
  readonly reason?: string;
}

export interface ProjectionStatus {
  readonly projection: string;
  readonly version: number;
  readonly checkpoint: string | null;
  readonly state: string;
  readonly lag?: string;
  readonly handled?: string;
  readonly notUnderstood?: string;
  readonly failed?: string;
  readonly errors?: readonly {
    readonly position: string;
    readonly eventId: string;
    readonly message: string;
  }[];
  readonly retry?: { readonly since: string; readonly lastError: string };
}

export interface RebuildProgress {
  readonly state: 'building' | 'switched' | 'failed';
  readonly phase?: 'copying' | 'projecting' | 'indexing' | 'catching-up';
  readonly rebuilding: readonly string[];
  readonly fileName: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly failure?: string;
  readonly projections?: readonly ProjectionStatus[];
}

export interface ProjectionsStatus {
  readonly live: string;
  readonly projections: readonly ProjectionStatus[];
  readonly rebuild?: RebuildProgress;
}

export interface NotUnderstood {
  readonly projection: string;
  readonly position: string;
  readonly eventId: string;
  readonly message: string;
  readonly eventType?: string;
}
