/** Programs: campaigns per provider with status, counts, winners and referrals over time. */
import { api } from '../api.js';
import { referralsChart } from '../chart.js';
import {
  chip,
  empty,
  facts,
  failure,
  h,
  keyHref,
  keyPath,
  loading,
  participantLink,
  show,
  time,
} from '../format.js';

/** @typedef {import('../../console-types').CampaignView} CampaignView */
/** @template T @typedef {import('../../console-types').Paged<T>} Paged */
/** @typedef {import('../../console-types').ReferralDay} ReferralDay */
/** @typedef {import('../../console-types').ParticipantView} ParticipantView */

const PAGE = 50;

/**
 * @param {HTMLElement} view
 * @param {string[]} _params
 * @param {unknown} _session
 * @param {URLSearchParams} query
 */
export async function renderPrograms(view, _params, _session, query) {
  const offset = Number(query.get('offset') ?? '0') || 0;
  show(view, h('h1', null, 'Programs'), loading('Loading campaigns…'));
  const answer = /** @type {Paged<CampaignView>} */ (
    await api(`/campaigns?limit=${PAGE}&offset=${offset}`)
  );
  const heading = h('h1', null, 'Programs');
  if (answer.total === 0) {
    show(
      view,
      heading,
      empty('No campaigns yet: they appear with the first delivery that names one.'),
    );
    return;
  }
  /** @type {Map<string, CampaignView[]>} */
  const byProvider = new Map();
  for (const item of answer.items) {
    const list = byProvider.get(item.campaign.provider) ?? [];
    list.push(item);
    byProvider.set(item.campaign.provider, list);
  }
  show(
    view,
    heading,
    h(
      'p',
      { class: 'lede' },
      `${answer.total} campaign${answer.total === 1 ? '' : 's'} across ${byProvider.size} provider${byProvider.size === 1 ? '' : 's'}.`,
    ),
    [...byProvider].map(([provider, items]) =>
      h(
        'section',
        { class: 'provider' },
        h('h2', null, provider),
        h('div', { class: 'cards' }, items.map(campaignCard)),
      ),
    ),
    pager(offset, answer.total),
  );
}

/** @param {CampaignView} item */
export function campaignCard(item) {
  const { campaign, referrals } = item;
  const chartBox = h('div', { class: 'chart-box' }, loading('Loading the chart…'));
  void api(`/campaigns/${keyPath(campaign.key)}/referrals-by-day`).then(
    (answer) => {
      const { days } = /** @type {{ days: ReferralDay[] }} */ (answer);
      show(
        chartBox,
        days.length === 0
          ? empty('No referrals yet.')
          : referralsChart(
              days,
              `Referrals of ${campaign.name ?? campaign.providerCampaignId} by status, per day`,
            ),
      );
    },
    (error) => show(chartBox, failure(error, 'load the chart')),
  );
  return h(
    'article',
    { class: 'card campaign', 'data-campaign': campaign.key },
    h(
      'div',
      { class: 'campaign-info' },
      h(
        'header',
        { class: 'card-head' },
        h(
          'h3',
          null,
          h(
            'a',
            { href: keyHref('campaigns', campaign.key) },
            campaign.name ?? campaign.providerCampaignId,
          ),
        ),
        chip(campaign.status),
      ),
      h('p', { class: 'key' }, campaign.key),
      counts(referrals),
      facts([
        ['Ended', campaign.status === 'ended' ? time(campaign.endedAt) : 'not ended'],
        [
          'Winners',
          campaign.winners.length === 0
            ? h('span', { class: 'muted' }, 'none yet')
            : winners(campaign.winners),
        ],
      ]),
      h('a', { class: 'button', href: keyHref('campaigns', campaign.key) }, 'Leaderboard'),
    ),
    h(
      'div',
      { class: 'campaign-chart' },
      h('h4', null, 'Referrals over time'),
      chartBox,
      h(
        'p',
        { class: 'chart-note muted' },
        'Each bar: the referrals by status at the end of a day (UTC) on which one changed, by the time its delivery was received.',
      ),
    ),
  );
}

const WINNERS_SHOWN = 5;

/**
 * The first winners by name (looked up one by one, so only a few), the rest counted.
 * @param {readonly string[]} keys
 */
function winners(keys) {
  const shown = keys.slice(0, WINNERS_SHOWN).map((key) => {
    const link = participantLink(key);
    void api(`/participants/${keyPath(key)}`).then(
      (answer) => {
        const { participant } = /** @type {ParticipantView} */ (answer);
        const name = participant.name ?? participant.email;
        if (name !== null) {
          link.textContent = name;
          link.setAttribute('title', key);
        }
      },
      () => undefined, // the key stays as the link's text
    );
    return link;
  });
  const more = keys.length - shown.length;
  return h(
    'span',
    null,
    shown.map((link, i) => [i > 0 ? ', ' : '', link]),
    more > 0 ? ` and ${more} more` : null,
  );
}

/** @param {{ total: number, pending: number, approved: number, voided: number, other: number }} referrals */
export function counts(referrals) {
  return h(
    'ul',
    { class: 'counts', 'aria-label': 'Referrals' },
    [
      ['referrals', referrals.total],
      ['pending', referrals.pending],
      ['approved', referrals.approved],
      ['voided', referrals.voided],
      ['other', referrals.other],
    ].map(([label, value]) =>
      h(
        'li',
        { class: `count count-${label}` },
        h('span', { class: 'n' }, value),
        h('span', { class: 'label' }, label),
      ),
    ),
  );
}

/**
 * @param {number} offset
 * @param {number} total
 * @param {string} [base]
 */
export function pager(offset, total, base = '#/programs', size = PAGE) {
  if (total <= size) return null;
  const link = (
    /** @type {number} */ to,
    /** @type {string} */ label,
    /** @type {boolean} */ enabled,
  ) =>
    enabled
      ? h('a', { class: 'button', href: `${base}?offset=${to}` }, label)
      : h('span', { class: 'button disabled', 'aria-disabled': 'true' }, label);
  return h(
    'nav',
    { class: 'pager', 'aria-label': 'Pages' },
    link(Math.max(0, offset - size), '← Previous', offset > 0),
    h('span', null, `${offset + 1}–${Math.min(offset + size, total)} of ${total}`),
    link(offset + size, 'Next →', offset + size < total),
  );
}
