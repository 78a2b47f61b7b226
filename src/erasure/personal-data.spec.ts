import { createHash } from 'node:crypto';
import { growsurf, talkable, wix } from '../projections/testing/recorded-webhooks';
import { anonymizeRequested, mergePersonalData, splitPersonalData } from './personal-data';
import { identityText } from './pseudonyms';

/** A keyless stand-in for the HMAC. */
const named = (identity: Parameters<typeof identityText>[0]) =>
  `ps_${createHash('sha256').update(identityText(identity)).digest('hex').slice(0, 24)}`;

describe('personal data of a delivery', () => {
  it('names the GrowSurf friend and advocate by participant id, and leaves no email or name in the skeleton', () => {
    const event = growsurf('new-participant-referred');
    const split = splitPersonalData('growsurf', event.payload, named);
    expect(split.subjects.map((s) => identityText(s.identity))).toEqual(['id:p88y0a', 'id:x9a7uu']);
    const skeleton = JSON.stringify(split.skeleton);
    for (const personal of [
      'gavin.belson@hooli.com',
      'Gavin',
      'Belson',
      'richard@piedpiper.com',
      'Hendricks',
      'Hooli',
    ])
      expect(skeleton).not.toContain(personal);
    expect(split.subjects[0]!.profile).toMatchObject({
      email: 'gavin.belson@hooli.com',
      firstName: 'Gavin',
      lastName: 'Belson',
    });
  });

  it('keeps in the clear what the projections fold: ids, counts, statuses, campaign and reward config', () => {
    const split = splitPersonalData(
      'growsurf',
      growsurf('new-participant-referred').payload,
      named,
    );
    expect(split.skeleton).toMatchObject({
      event: 'NEW_PARTICIPANT_ADDED',
      data: {
        id: 'p88y0a',
        referredBy: 'x9a7uu',
        fraudRiskLevel: 'LOW',
        referrer: { id: 'x9a7uu', referralCount: 11 },
        campaign: { id: 'ct8f71', name: 'Middle Out Compression Campaign' },
      },
    });
  });

  it('names a Talkable person by email, one subject however many objects carry it', () => {
    const split = splitPersonalData('talkable', talkable('referral-approved').payload, named);
    expect(split.subjects.map((s) => identityText(s.identity))).toEqual([
      'email:referrer@example.com',
      'email:referred@example.com',
    ]);
    const skeleton = JSON.stringify(split.skeleton);
    for (const personal of ['@example.com', 'Crane', 'Alice', '127.0.0.1', '64227025'])
      expect(skeleton).not.toContain(personal);
  });

  it('names a Wix referral entity by its contact id', () => {
    const split = splitPersonalData('wix', wix('referred-friend-created').payload, named);
    expect(split.subjects.map((s) => identityText(s.identity))).toEqual([
      'contact:c0ffee00-7777-4888-9999-aaaabbbbcccc',
    ]);
    expect(JSON.stringify(split.skeleton)).not.toContain('c0ffee00');
  });

  it('takes an email where no rule expected one as a subject of its own', () => {
    const split = splitPersonalData(
      'standard',
      { note: { contact: 'Someone@Example.org' } },
      named,
    );
    expect(split.subjects.map((s) => identityText(s.identity))).toEqual([
      'email:someone@example.org',
    ]);
  });

  it('puts every value back where its token is: split then merge is the payload as received', () => {
    for (const event of [
      growsurf('new-participant-referred'),
      talkable('referral-approved'),
      wix('referred-friend-created'),
    ]) {
      const split = splitPersonalData(event.provider, event.payload, named);
      expect(
        mergePersonalData(
          split.skeleton,
          split.subjects.flatMap((s) => s.values),
        ),
      ).toEqual(event.payload);
    }
  });

  it('sees a Wix anonymize request in triggeredByAnonymizeRequest, and nowhere else', () => {
    const event = wix('referred-friend-updated');
    expect(anonymizeRequested('wix', event.payload)).toBe(false);
    const data = event.payload.data as Record<string, unknown>;
    const flagged = { ...event.payload, data: { ...data, triggeredByAnonymizeRequest: true } };
    expect(anonymizeRequested('wix', flagged as typeof event.payload)).toBe(true);
    expect(anonymizeRequested('growsurf', { triggeredByAnonymizeRequest: true })).toBe(false);
  });
});
