import { referralsByDay, type ReferralStatusChange } from './referrals-by-day';

const change = (referralKey: string, receivedAt: string, status: string): ReferralStatusChange => ({
  referralKey,
  receivedAt,
  status,
});

describe('referralsByDay', () => {
  it('counts each referral once, in the status it had at the end of each day', () => {
    const days = referralsByDay([
      change('r1', '2026-03-01T09:00:00.000Z', 'pending'),
      change('r2', '2026-03-01T10:00:00.000Z', 'pending'),
      change('r1', '2026-03-01T11:00:00.000Z', 'approved'),
      change('r2', '2026-03-03T08:00:00.000Z', 'voided'),
      change('r3', '2026-03-03T09:00:00.000Z', 'flagged'),
    ]);
    expect(days).toEqual([
      { day: '2026-03-01', total: 2, pending: 1, approved: 1, voided: 0, other: 0 },
      { day: '2026-03-03', total: 3, pending: 0, approved: 1, voided: 1, other: 1 },
    ]);
  });

  it('never goes back a day when the log stored a change received just before midnight late', () => {
    const days = referralsByDay([
      change('r1', '2026-03-01T23:59:59.990Z', 'pending'),
      change('r2', '2026-03-02T00:00:00.001Z', 'pending'),
      change('r3', '2026-03-01T23:59:59.999Z', 'approved'),
    ]);
    expect(days).toEqual([
      { day: '2026-03-01', total: 1, pending: 1, approved: 0, voided: 0, other: 0 },
      { day: '2026-03-02', total: 3, pending: 2, approved: 1, voided: 0, other: 0 },
    ]);
  });

  it('answers no days for a campaign without referrals', () => {
    expect(referralsByDay([])).toEqual([]);
  });
});
