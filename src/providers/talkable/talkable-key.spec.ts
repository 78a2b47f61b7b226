import { rejection } from '../../../test/support/expect-rejection';
import { verifyTalkableKey } from './talkable-key';

const KEYS = [{ id: 'test-site', secret: 'test-talkable-key-0123456789' }];

describe('Talkable key check', () => {
  it('names a site of ours when the key does not match it', () => {
    const refused = rejection(() => verifyTalkableKey('wrong', 'test-site', KEYS));
    expect(refused.status).toBe(401);
    expect(refused.detail).toContain('"test-site"');
  });

  it('never repeats a site it does not know (a swapped field may carry the key itself)', () => {
    const swapped = 'test-talkable-key-0123456789';
    const refused = rejection(() =>
      verifyTalkableKey('wrong', swapped, [{ id: '*', secret: 'other-key-9876543210' }]),
    );
    expect(refused.status).toBe(401);
    expect(refused.detail).not.toContain(swapped);
  });
});
