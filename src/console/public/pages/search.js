/**
 * Search by email (one query across providers) or by participant id. The API
 * finds a participant by provider, tenant and id: an id alone is tried under
 * every provider and tenant the campaigns name (and Refir's `-`).
 */
import { ApiError, api } from '../api.js';
import { empty, failure, h, keyHref, loading, show, table } from '../format.js';

/** @typedef {import('../../console-types').Participant} Participant */
/** @typedef {import('../../console-types').ParticipantView} ParticipantView */
/** @typedef {import('../../console-types').CampaignView} CampaignView */
/** @template T @typedef {import('../../console-types').Paged<T>} Paged */

/**
 * @param {HTMLElement} view
 * @param {string[]} _params
 * @param {unknown} _session
 * @param {URLSearchParams} query
 */
export async function renderSearch(view, _params, _session, query) {
  const q = (query.get('q') ?? '').trim();
  const results = h('section', { class: 'results', 'aria-live': 'polite' });
  const input = h('input', {
    id: 'search-q',
    type: 'search',
    name: 'q',
    value: q,
    placeholder: 'maria@example.com, x9a7uu or growsurf:ct8f71:x9a7uu',
    autocomplete: 'off',
  });
  const form = h(
    'form',
    {
      class: 'search',
      role: 'search',
      onsubmit: (/** @type {Event} */ event) => {
        event.preventDefault();
        const value = /** @type {HTMLInputElement} */ (input).value.trim();
        location.hash = `#/search?q=${encodeURIComponent(value)}`;
      },
    },
    h('label', { for: 'search-q' }, 'Email or participant id'),
    h(
      'div',
      { class: 'search-row' },
      input,
      h('button', { type: 'submit', class: 'primary' }, 'Search'),
    ),
  );
  show(view, h('h1', null, 'Search'), form, results);
  if (q === '') {
    show(results, empty('Type an email address or a participant id: every provider is searched.'));
    return;
  }
  show(results, loading('Searching…'));
  try {
    const found = q.includes('@') && !q.includes(':') ? await byEmail(q) : await byId(q);
    show(
      results,
      found.length === 0
        ? empty(`Nobody found for “${q}”.`)
        : table(
            ['Participant', 'Email', 'Provider', 'Tenant', 'Key'],
            found.map((p) => [
              h('a', { href: keyHref('participants', p.key) }, p.name ?? p.email ?? p.providerId),
              p.email ?? '—',
              p.provider,
              p.tenant ?? '—',
              h('code', null, p.key),
            ]),
            `${found.length} participant${found.length === 1 ? '' : 's'}`,
          ),
    );
  } catch (error) {
    show(results, failure(error, 'search'));
  }
}

/** @param {string} email */
async function byEmail(email) {
  const answer = /** @type {{ items: Participant[] }} */ (
    await api(`/participants?email=${encodeURIComponent(email)}`)
  );
  return answer.items;
}

/** @param {string} text a bare id, or provider:tenant:id / provider/tenant/id */
async function byId(text) {
  const parts = text.split(/[:/]/);
  if (
    parts.length >= 3 &&
    ['wix', 'talkable', 'growsurf', 'refir', 'standard'].includes(parts[0] ?? '')
  ) {
    const found = await participant(parts[0] ?? '', parts[1] ?? '', parts.slice(2).join(':'));
    return found === null ? [] : [found];
  }
  const tenants = new Map([['refir:-', ['refir', '-']]]);
  for (let offset = 0; ; offset += 200) {
    const page = /** @type {Paged<CampaignView>} */ (
      await api(`/campaigns?limit=200&offset=${offset}`)
    );
    for (const { campaign } of page.items)
      tenants.set(`${campaign.provider}:${campaign.tenant ?? '-'}`, [
        campaign.provider,
        campaign.tenant ?? '-',
      ]);
    if (offset + 200 >= page.total) break;
  }
  const found = await Promise.all(
    [...tenants.values()].map(([provider, tenant]) =>
      participant(provider ?? '', tenant ?? '', text),
    ),
  );
  return found.filter((p) => p !== null);
}

/**
 * @param {string} provider
 * @param {string} tenant
 * @param {string} id
 */
async function participant(provider, tenant, id) {
  try {
    const view = /** @type {ParticipantView} */ (
      await api(`/participants/${[provider, tenant, id].map(encodeURIComponent).join('/')}`)
    );
    return view.participant;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) return null;
    throw error;
  }
}
