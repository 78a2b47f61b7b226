/**
 * Referrals over time, for the console's chart: how many of a campaign's
 * referrals stood pending, approved, voided or otherwise at the end of each
 * day on which one of them changed. Days are UTC calendar days of the time
 * each change was received (providers' own timestamps differ per provider and
 * are often absent), so the chart shows what the ledger knew, when.
 */
import type { ReferralCounts } from './participant-view';

export interface ReferralStatusChange {
  readonly referralKey: string;
  /** When the delivery behind the change was received (ISO 8601, UTC). */
  readonly receivedAt: string;
  /** The referral's status after the change. */
  readonly status: string;
}

export interface ReferralDay extends ReferralCounts {
  /** YYYY-MM-DD, UTC. */
  readonly day: string;
}

type Bucket = keyof Omit<ReferralCounts, 'total'>;

function bucketOf(status: string): Bucket {
  switch (status) {
    case 'pending':
    case 'approved':
    case 'voided':
      return status;
    default:
      return 'other';
  }
}

/**
 * Folds changes given in log order into one row per day with a change, in day
 * order. Log order and receive order can disagree by a few milliseconds
 * (concurrent deliveries): a change received just before midnight but stored
 * after one received just after counts on the later day, so days never go back.
 */
export function referralsByDay(changes: Iterable<ReferralStatusChange>): ReferralDay[] {
  const current = new Map<string, Bucket>();
  const counts: Record<Bucket, number> = { pending: 0, approved: 0, voided: 0, other: 0 };
  const days: ReferralDay[] = [];
  let day: string | undefined;
  const close = (): void => {
    if (day === undefined) return;
    const total = counts.pending + counts.approved + counts.voided + counts.other;
    days.push({ day, total, ...counts });
  };
  for (const change of changes) {
    const changeDay = change.receivedAt.slice(0, 10);
    if (day === undefined || changeDay > day) {
      close();
      day = changeDay;
    }
    const previous = current.get(change.referralKey);
    const next = bucketOf(change.status);
    if (previous !== undefined) counts[previous] -= 1;
    counts[next] += 1;
    current.set(change.referralKey, next);
  }
  close();
  return days;
}
