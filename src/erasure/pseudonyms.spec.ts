import { newKey } from './sealing';
import { emailIndexOf, PSEUDONYM, pseudonymOf } from './pseudonyms';

describe('pseudonyms', () => {
  const tenant = newKey();

  it('gives a person the same pseudonym every time in one tenant, whatever the email case', () => {
    const a = pseudonymOf(tenant, { kind: 'email', value: 'Friend@Example.com ' });
    expect(a).toMatch(new RegExp(`^${PSEUDONYM.source}$`));
    expect(pseudonymOf(tenant, { kind: 'email', value: 'friend@example.com' })).toBe(a);
  });

  it('gives the same person another pseudonym in another tenant (another tenant key)', () => {
    const identity = { kind: 'id' as const, value: 'p88y0a' };
    expect(pseudonymOf(newKey(), identity)).not.toBe(pseudonymOf(tenant, identity));
  });

  it('keeps id and email identities apart (an id that reads like an email is still an id)', () => {
    expect(pseudonymOf(tenant, { kind: 'id', value: 'a@b.co' })).not.toBe(
      pseudonymOf(tenant, { kind: 'email', value: 'a@b.co' }),
    );
  });

  it('indexes an email blindly: the index holds no part of the address', () => {
    const index = emailIndexOf(newKey(), 'friend@example.com');
    expect(index).toMatch(/^[0-9a-f]{64}$/);
    expect(index).not.toContain('friend');
  });
});
