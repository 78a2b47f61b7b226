import { ServiceMetrics } from './service-metrics';

describe('ServiceMetrics.query', () => {
  it('times the read-model routes by pattern, every answer, and leaves the others out', async () => {
    const metrics = new ServiceMetrics();
    metrics.query('/participants/:provider/:tenant/:id', 2);
    metrics.query('/participants/:provider/:tenant/:id', 40);
    metrics.query('/health', 1);
    metrics.query('/referrals', 3);
    const text = await metrics.render();
    const count = (route: string): string | undefined =>
      new RegExp(
        `^referral_ledger_read_model_query_seconds_count\\{route="${route.replace(/\//g, '\\/')}"\\} (\\d+)$`,
        'm',
      ).exec(text)?.[1];
    expect(count('/participants/:provider/:tenant/:id')).toBe('2');
    expect(count('/referrals')).toBe('1');
    expect(count('/health')).toBeUndefined();
    expect(text).toMatch(
      /^referral_ledger_read_model_query_seconds_sum\{route="\/participants\/:provider\/:tenant\/:id"\} 0\.042$/m,
    );
  });
});
