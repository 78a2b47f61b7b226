/**
 * A participant: who they are, their advocate and friend views, balances per
 * currency by status, and the timeline of every ledger entry behind their
 * rewards, each pointing at the delivery that caused it.
 */
import { api } from '../api.js';
import {
  chip,
  empty,
  facts,
  h,
  loading,
  money,
  participantLink,
  personal,
  rewardValue,
  show,
  table,
  time,
} from '../format.js';
import { counts } from './programs.js';

/** @typedef {import('../../console-types').ParticipantView} ParticipantView */
/** @typedef {import('../../console-types').Explained} Explained */
/** @typedef {import('../../console-types').ExplainedEntry} ExplainedEntry */
/** @typedef {import('../../console-types').Participant} Participant */
/** @typedef {import('../../console-types').Balance} Balance */
/** @typedef {import('../../console-types').Reward} Reward */

const OUTCOMES = {
  applied: 'changed the reward',
  unchanged: 'repeated what the ledger already had',
  duplicate: 'a copy of a delivery already applied: counted once',
  superseded: 'older than what the ledger already had: not applied',
};

/**
 * @param {HTMLElement} view
 * @param {string[]} params
 * @param {{ scope: 'admin' | 'read' }} session
 */
export async function renderParticipant(view, params, session) {
  const path = params.map(encodeURIComponent).join('/');
  show(view, h('h1', null, 'Participant'), loading());
  const [participantView, explained] = /** @type {[ParticipantView, Explained]} */ (
    await Promise.all([api(`/participants/${path}`), api(`/participants/${path}/explain`)])
  );
  const { participant, advocate, friend, rewards } = participantView;
  const rewardsByKey = new Map(rewards.map((r) => [r.key, r]));
  show(
    view,
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: '#/search' }, 'Search'),
      ' / ',
      participant.provider,
    ),
    h('h1', null, personal(participant.name ?? participant.email ?? participant.providerId)),
    identity(participant),
    h(
      'section',
      { class: 'card balances', 'aria-labelledby': 'balances-h' },
      h('h2', { id: 'balances-h' }, 'Balances'),
      h(
        'p',
        { class: 'muted' },
        'Every cash reward they hold, as advocate and as friend, summed per currency by status.',
      ),
      balances(advocate.balances),
    ),
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'advocate-h' },
        h('h2', { id: 'advocate-h' }, 'As advocate'),
        h('h3', null, 'Referrals they made'),
        counts(advocate.referrals),
        advocate.points.rewards > 0
          ? h(
              'p',
              null,
              `${advocate.points.total} points from ${advocate.points.rewards} reward(s)`,
            )
          : null,
        advocate.coupons.length > 0
          ? [
              h('h3', null, 'Coupons'),
              h(
                'ul',
                { class: 'plain' },
                advocate.coupons.map((c) =>
                  h(
                    'li',
                    null,
                    h('code', null, c.couponCode ?? c.providerRewardId),
                    ' ',
                    chip(c.status),
                    ' ',
                    c.description ?? '',
                  ),
                ),
              ),
            ]
          : null,
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'friend-h' },
        h('h2', { id: 'friend-h' }, 'As friend'),
        friend.referredBy.length === 0
          ? empty('Nobody is known to have referred them.')
          : h(
              'ul',
              { class: 'plain' },
              friend.referredBy.map((referral) =>
                h(
                  'li',
                  null,
                  'Referred by ',
                  participantLink(referral.advocateKey),
                  ' ',
                  chip(referral.status),
                ),
              ),
            ),
      ),
    ),
    h('h2', null, 'Rewards'),
    rewards.length === 0
      ? empty('No rewards.')
      : table(
          ['Reward', 'Side', 'Kind', 'Value', 'Status'],
          rewards.map((r) => [
            h(
              'span',
              null,
              r.description ?? r.providerRewardId,
              h('br'),
              h('small', { class: 'key' }, r.key),
            ),
            r.side ?? '—',
            r.kind,
            rewardValue(r.value),
            chip(r.status),
          ]),
        ),
    h('h2', { id: 'timeline-h' }, 'Ledger timeline'),
    h(
      'p',
      { class: 'muted' },
      'Every change recorded for their rewards, in log order, with the delivery behind it.',
      session.scope === 'admin' ? '' : ' Opening a delivery needs an admin key.',
    ),
    outcomeSummary(explained.entries),
    explained.entries.length === 0
      ? empty('No ledger entries: no delivery has touched their rewards.')
      : h(
          'ol',
          { class: 'timeline', 'aria-labelledby': 'timeline-h' },
          explained.entries.map((entry) =>
            timelineEntry(entry, rewardsByKey.get(entry.entityKey), session),
          ),
        ),
  );
}

/**
 * How many entries of each outcome, each outcome explained on hover.
 * @param {readonly ExplainedEntry[]} entries
 */
function outcomeSummary(entries) {
  if (entries.length === 0) return null;
  /** @type {Map<ExplainedEntry['outcome'], number>} */
  const byOutcome = new Map();
  for (const entry of entries)
    byOutcome.set(entry.outcome, (byOutcome.get(entry.outcome) ?? 0) + 1);
  return h(
    'p',
    { class: 'outcomes' },
    `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}: `,
    [...byOutcome].map(([outcome, n], i) => [
      i > 0 ? ', ' : '',
      h('abbr', { title: OUTCOMES[outcome] }, `${n} ${outcome}`),
    ]),
  );
}

/** @param {Participant} participant */
function identity(participant) {
  return facts([
    ['Participant', h('code', null, participant.key)],
    ['Email', personal(participant.email) ?? h('span', { class: 'muted' }, 'unknown')],
    ['Provider', participant.provider],
    [
      'Campaigns',
      participant.campaignKeys.length === 0
        ? h('span', { class: 'muted' }, 'none')
        : h(
            'span',
            null,
            participant.campaignKeys.map((/** @type {string} */ key, /** @type {number} */ i) => [
              i > 0 ? ', ' : '',
              h(
                'a',
                { href: `#/campaigns/${key.split(':').map(encodeURIComponent).join('/')}` },
                key,
              ),
            ]),
          ),
    ],
    [
      'Flags',
      h(
        'span',
        null,
        participant.isWinner ? chip('winner') : null,
        participant.unsubscribed
          ? [' ', chip('unsubscribed'), ' ', time(participant.unsubscribedAt)]
          : null,
        participant.fraud?.level
          ? [' ', h('span', { class: 'chip' }, `fraud risk ${participant.fraud.level}`)]
          : null,
        !participant.isWinner && !participant.unsubscribed && !participant.fraud?.level
          ? h('span', { class: 'muted' }, 'none')
          : null,
      ),
    ],
  ]);
}

/** @param {readonly Balance[]} list */
function balances(list) {
  if (list.length === 0) return empty('No cash rewards.');
  return table(
    ['Currency', 'Pending', 'Approved', 'Paid', 'Voided'],
    list.map((b) => [
      h(
        'span',
        null,
        b.currency === 'XXX' ? 'no currency' : b.currency,
        b.currencyAssumed
          ? [
              ' ',
              h(
                'abbr',
                {
                  class: 'assumed',
                  title: 'at least one amount came without a currency: this one was assumed',
                },
                'assumed',
              ),
            ]
          : null,
      ),
      money(b.pending, b.currency),
      money(b.approved, b.currency),
      money(b.paid, b.currency),
      money(b.voided, b.currency),
    ]),
    // The assumed currency is marked once per row, beside the currency itself.
    'Cash rewards per currency, by status',
  );
}

/**
 * @param {ExplainedEntry} entry
 * @param {Reward | undefined} reward
 * @param {{ scope: 'admin' | 'read' }} session
 */
function timelineEntry(entry, reward, session) {
  const detail = entry.detail ?? {};
  const change =
    detail.previous === undefined && detail.resulting === undefined
      ? null
      : h(
          'span',
          { class: 'change' },
          detail.previous ? [chip(detail.previous), ' → '] : 'new → ',
          chip(detail.resulting ?? '?'),
        );
  const verification = entry.verification;
  return h(
    'li',
    { class: `entry outcome-${entry.outcome}`, 'data-event-id': entry.eventId },
    h(
      'div',
      { class: 'entry-head' },
      time(entry.receivedAt),
      ' ',
      h(
        'span',
        {
          class: `chip outcome outcome-chip-${entry.outcome}`,
          title: OUTCOMES[/** @type {keyof typeof OUTCOMES} */ (entry.outcome)] ?? '',
        },
        entry.outcome,
      ),
    ),
    h(
      'p',
      { class: 'entry-what' },
      h('strong', null, reward?.description ?? entry.entityKey),
      ' ',
      change,
      detail.value ? [' ', rewardValue(detail.value)] : null,
    ),
    h(
      'p',
      { class: 'entry-how muted' },
      entry.providerType,
      ' · position ',
      entry.position,
      ' · ',
      verification
        ? `${verification.method}${verification.signed ? ', signature checked' : ', not signed'} on receipt`
        : 'no record of how it was verified',
    ),
    session.scope === 'admin'
      ? h(
          'a',
          { class: 'button', href: `#/deliveries/${encodeURIComponent(entry.eventId)}` },
          'Delivery and re-verify',
        )
      : h('span', { class: 'muted' }, `delivery ${entry.eventId}`),
  );
}
