/**
 * One stored delivery as received, re-verified with the keys configured now:
 * opening the page is the one click, and it says what was checked.
 */
import { api } from '../api.js';
import { empty, facts, failure, h, loading, show, time } from '../format.js';

/** @typedef {import('../../console-types').StoredDelivery} StoredDelivery */
/** @typedef {import('../../console-types').Reverification} Reverification */

const RESULTS = {
  verified: 'Verified again',
  failed: 'Does not verify',
  'not-verifiable': 'Cannot be verified',
};

/**
 * @param {HTMLElement} view
 * @param {string[]} params
 * @param {{ scope: 'admin' | 'read' }} session
 */
export async function renderDelivery(view, params, session) {
  const [eventId = ''] = params;
  if (session.scope !== 'admin') {
    show(
      view,
      h('h1', null, 'Delivery'),
      empty('Stored deliveries hold personal data: opening one needs an admin key.'),
    );
    return;
  }
  show(view, h('h1', null, 'Delivery'), loading('Loading the delivery and re-verifying it…'));
  const verificationBox = h(
    'section',
    { class: 'card verification', 'aria-live': 'polite' },
    loading('Re-verifying…'),
  );
  const [stored] = /** @type {[StoredDelivery, void]} */ (
    await Promise.all([
      api(`/events/${encodeURIComponent(eventId)}`),
      api(`/events/${encodeURIComponent(eventId)}/verification`).then(
        (answer) => show(verificationBox, reverification(/** @type {Reverification} */ (answer))),
        (error) => show(verificationBox, failure(error, 're-verify it')),
      ),
    ])
  );
  const delivery = stored.delivery;
  show(
    view,
    h(
      'p',
      { class: 'crumbs' },
      h('button', { type: 'button', class: 'link', onclick: () => history.back() }, '← Back'),
    ),
    h('h1', null, `${delivery.provider} · ${delivery.providerEventType}`),
    verificationBox,
    h(
      'section',
      { class: 'card' },
      h('h2', null, 'As recorded'),
      facts([
        ['Event id', h('code', null, stored.eventId)],
        ['Log position', stored.position],
        ['Received', time(delivery.receivedAt)],
        ['Recorded', time(stored.recordedAt)],
        ['Source', delivery.source],
        ['Tenant', delivery.tenantId ?? '—'],
        ['Understood', delivery.understood ? 'yes' : 'no: kept, not projected'],
        [
          'Verified on receipt',
          `${delivery.verification.method}, ${delivery.verification.signed ? 'signature checked' : 'no signature (shared key or token)'}, key ${delivery.verification.keyId}`,
        ],
      ]),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', null, 'Payload'),
      h('pre', { class: 'json' }, JSON.stringify(delivery.payload, null, 2)),
      h(
        'details',
        null,
        h('summary', null, 'Raw body and provenance headers, byte for byte as received'),
        facts(
          Object.entries(delivery.delivery.headers ?? {}).map(([name, value]) => [
            name,
            h('code', null, String(value)),
          ]),
        ),
        h('pre', { class: 'raw' }, delivery.delivery.body),
      ),
    ),
  );
}

/** @param {Reverification} answer */
function reverification(answer) {
  return [
    h(
      'h2',
      { class: `result result-${answer.result}` },
      RESULTS[/** @type {keyof typeof RESULTS} */ (answer.result)] ?? answer.result,
    ),
    facts(
      [
        ['Checked', answer.checked],
        ['Method', answer.method],
        ['Matching key', answer.keyId ?? '—'],
        ...(answer.reason ? [['Why', answer.reason]] : []),
      ].map((pair) => /** @type {[string, unknown]} */ (pair)),
    ),
  ];
}
