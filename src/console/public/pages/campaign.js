/** A campaign: its card and its leaderboard, paginated. */
import { api } from '../api.js';
import { empty, h, keyHref, loading, participantLink, show, table } from '../format.js';
import { campaignCard, pager } from './programs.js';

/** @typedef {import('../../console-types').CampaignView} CampaignView */
/** @typedef {import('../../console-types').LeaderboardRow} LeaderboardRow */
/** @template T @typedef {import('../../console-types').Paged<T>} Paged */

const PAGE = 20;

/**
 * @param {HTMLElement} view
 * @param {string[]} params
 * @param {unknown} _session
 * @param {URLSearchParams} query
 */
export async function renderCampaign(view, params, _session, query) {
  const [provider = '', tenant = '', id = ''] = params;
  const path = [provider, tenant, id].map(encodeURIComponent).join('/');
  const offset = Number(query.get('offset') ?? '0') || 0;
  show(view, h('h1', null, 'Campaign'), loading());
  const [view_, board] = /** @type {[CampaignView, Paged<LeaderboardRow>]} */ (
    await Promise.all([
      api(`/campaigns/${path}`),
      api(`/campaigns/${path}/leaderboard?limit=${PAGE}&offset=${offset}`),
    ])
  );
  const name = view_.campaign.name ?? view_.campaign.providerCampaignId;
  const base = keyHref('campaigns', view_.campaign.key);
  show(
    view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/programs' }, 'Programs'), ' / ', provider),
    h('h1', null, name),
    h('div', { class: 'cards single' }, campaignCard(view_)),
    h('h2', { id: 'leaderboard' }, 'Leaderboard'),
    board.total === 0
      ? empty('No advocate has a referral in this campaign yet.')
      : [
          table(
            ['Place', 'Advocate', 'Email', 'Approved', 'Referrals'],
            board.items.map((row) => [
              String(row.place),
              participantLink(row.participantKey, row.name ?? row.participantKey),
              row.email ?? h('span', { class: 'muted' }, '—'),
              String(row.approved),
              String(row.total),
            ]),
            'Advocates by approved referrals',
          ),
          pager(offset, board.total, base, PAGE),
        ],
    rewardConfig(view_.campaign.rewardConfig),
  );
}

/** @param {CampaignView['campaign']['rewardConfig']} config */
function rewardConfig(config) {
  if (config.length === 0) return null;
  return [
    h('h2', null, 'Rewards offered'),
    table(
      ['Reward', 'Type', 'Description', 'Coupon', 'Conversions needed'],
      config.map((reward) => [
        reward.title ?? reward.id,
        reward.type ?? '—',
        reward.description ?? '—',
        reward.couponCode ?? '—',
        reward.conversionsRequired === null ? '—' : String(reward.conversionsRequired),
      ]),
    ),
  ];
}
