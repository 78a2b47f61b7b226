/**
 * Operations: each projection's checkpoint, lag, counts and errors, the
 * deliveries no projection understood, and a rebuild started here and watched
 * through its phases until the switch.
 */
import { ApiError, api } from '../api.js';
import { chip, empty, facts, failure, h, loading, show, table, time } from '../format.js';

/** @typedef {import('../../console-types').ProjectionsStatus} ProjectionsStatus */
/** @typedef {import('../../console-types').RebuildProgress} RebuildProgress */
/** @typedef {import('../../console-types').NotUnderstood} NotUnderstood */
/** @template T @typedef {import('../../console-types').Paged<T>} Paged */

const IDLE_REFRESH_MS = 5000;
const BUILDING_REFRESH_MS = 400;

const PHASES = {
  copying: 'copying the projections carried over',
  projecting: 'folding the log into the new generation',
  indexing: 'building its indexes',
  'catching-up': 'catching up with the deliveries received meanwhile',
};

/**
 * @param {HTMLElement} view
 * @param {string[]} _params
 * @param {{ scope: 'admin' | 'read' }} session
 */
export async function renderOperations(view, _params, session) {
  if (session.scope !== 'admin') {
    show(
      view,
      h('h1', null, 'Operations'),
      empty('Projection status and rebuilds need an admin key.'),
    );
    return;
  }
  const statusBox = h(
    'section',
    { 'aria-labelledby': 'projections-h' },
    loading('Loading projection status…'),
  );
  const rebuildBox = h('section', { class: 'card rebuild', 'aria-live': 'polite' });
  const notUnderstoodBox = h('section', null, loading());
  show(
    view,
    h('h1', null, 'Operations'),
    h('h2', { id: 'projections-h' }, 'Projections'),
    statusBox,
    h('h2', null, 'Rebuild'),
    rebuildBox,
    h('h2', null, 'Deliveries not understood'),
    notUnderstoodBox,
  );

  let stopped = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {string[]} */
  let projectionNames = [];
  let startedHere = false;

  const refresh = async () => {
    if (stopped) return;
    clearTimeout(timer);
    let building = false;
    try {
      const status = /** @type {ProjectionsStatus} */ (await api('/projections/status'));
      if (stopped) return;
      projectionNames = status.projections.map((p) => p.projection);
      show(statusBox, projectionsTable(status));
      building = status.rebuild?.state === 'building';
      show(
        rebuildBox,
        rebuildPanel(status.rebuild, building, projectionNames, startRebuild, startedHere),
      );
    } catch (error) {
      show(statusBox, failure(error, 'load the projection status'));
    }
    if (!stopped)
      timer = setTimeout(() => void refresh(), building ? BUILDING_REFRESH_MS : IDLE_REFRESH_MS);
  };

  /** @param {string[] | undefined} names */
  const startRebuild = async (names) => {
    try {
      const started = await api('/projections/rebuild', {
        method: 'POST',
        body: names === undefined ? {} : { projections: names },
      });
      startedHere = true;
      // The answer is the rebuild's first progress: shown at once, then followed by polling.
      show(rebuildBox, progress(/** @type {RebuildProgress} */ (started), true));
      clearTimeout(timer);
      timer = setTimeout(() => void refresh(), BUILDING_REFRESH_MS);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) await refresh();
      else show(rebuildBox, failure(error, 'start the rebuild'));
    }
  };

  void api('/projections/not-understood?limit=50').then(
    (answer) => show(notUnderstoodBox, notUnderstood(/** @type {Paged<NotUnderstood>} */ (answer))),
    (error) => show(notUnderstoodBox, failure(error, 'list them')),
  );
  await refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** @param {ProjectionsStatus} status */
function projectionsTable(status) {
  return [
    h('p', { class: 'muted' }, 'Serving ', h('code', null, status.live), '.'),
    table(
      [
        'Projection',
        'State',
        'Version',
        'Checkpoint',
        'Lag',
        'Handled',
        'Not understood',
        'Failed',
      ],
      status.projections.map((p) => [
        h('strong', null, p.projection),
        h(
          'span',
          null,
          chip(p.state),
          p.retry
            ? [
                h('br'),
                h('small', null, `retrying since `, time(p.retry.since), `: ${p.retry.lastError}`),
              ]
            : null,
        ),
        String(p.version),
        p.checkpoint ?? 'none yet',
        p.lag ?? '—',
        p.handled ?? '—',
        p.notUnderstood ?? '—',
        p.failed ?? '—',
      ]),
      'Checkpoint and lag in log positions',
    ),
    status.projections.some((p) => (p.errors ?? []).length > 0)
      ? [
          h('h3', null, 'Recent errors'),
          table(
            ['Projection', 'Position', 'Event', 'Error'],
            status.projections.flatMap((p) =>
              (p.errors ?? []).map((e) => [
                p.projection,
                e.position,
                h('code', null, e.eventId),
                e.message,
              ]),
            ),
          ),
        ]
      : h('p', { class: 'state ok' }, 'No projection errors.'),
  ];
}

/**
 * @param {RebuildProgress | undefined} rebuild
 * @param {boolean} building
 * @param {string[]} names
 * @param {(names: string[] | undefined) => Promise<void>} start
 * @param {boolean} startedHere
 */
function rebuildPanel(rebuild, building, names, start, startedHere) {
  const choices = names.map((name) =>
    h(
      'label',
      { class: 'check' },
      h('input', { type: 'checkbox', name: 'projection', value: name, checked: true }),
      name,
    ),
  );
  const form = h(
    'form',
    {
      class: 'rebuild-form',
      onsubmit: (/** @type {Event} */ event) => {
        event.preventDefault();
        const form = /** @type {HTMLFormElement} */ (event.currentTarget);
        const chosen = [...form.querySelectorAll('input[name=projection]:checked')].map(
          (input) => /** @type {HTMLInputElement} */ (input).value,
        );
        if (chosen.length === 0) return;
        const button = form.querySelector('button');
        if (button) button.disabled = true;
        void start(chosen.length === names.length ? undefined : chosen);
      },
    },
    h(
      'p',
      null,
      'Rebuilds the chosen projections from the log beside the live read models. Pages keep answering from the live ones until the new generation has caught up, then the switch is atomic.',
    ),
    h('fieldset', null, h('legend', null, 'Projections'), choices),
    h(
      'button',
      { type: 'submit', class: 'primary', disabled: building },
      building ? 'A rebuild is running' : 'Start rebuild',
    ),
  );
  if (rebuild === undefined)
    return [h('p', { class: 'muted' }, 'No rebuild since the service started.'), form];
  return [progress(rebuild, startedHere), building ? null : form];
}

/**
 * @param {RebuildProgress} rebuild
 * @param {boolean} startedHere
 */
function progress(rebuild, startedHere) {
  const state = rebuild.state;
  const heading =
    state === 'building'
      ? `Rebuilding: ${PHASES[/** @type {keyof typeof PHASES} */ (rebuild.phase)] ?? rebuild.phase ?? 'starting'}`
      : state === 'switched'
        ? 'Rebuild finished: the new read models are live'
        : `Rebuild failed${rebuild.failure ? `: ${rebuild.failure}` : ''}`;
  return h(
    'div',
    {
      class: `rebuild-progress rebuild-${state}`,
      'data-state': state,
      'data-phase': rebuild.phase ?? '',
    },
    h('h3', null, heading),
    facts([
      ['Rebuilding', rebuild.rebuilding.join(', ') || 'none (carried over only)'],
      ['Phase', rebuild.phase ?? (state === 'building' ? 'starting' : '—')],
      ['Started', time(rebuild.startedAt)],
      ['Finished', rebuild.finishedAt ? time(rebuild.finishedAt) : '—'],
      ['Generation', h('code', null, rebuild.fileName)],
      ['Started from', startedHere ? 'this console' : 'elsewhere (or an earlier visit)'],
    ]),
    (rebuild.projections ?? []).map((p) => {
      const checkpoint = Number(p.checkpoint ?? 0);
      const head = checkpoint + Number(p.lag ?? 0);
      const ratio = state === 'switched' ? 1 : head === 0 ? 0 : checkpoint / head;
      return h(
        'div',
        { class: 'bar-row' },
        h('label', null, `${p.projection}: ${p.checkpoint ?? 0} of ${head} positions`),
        h('progress', { max: 100, value: Math.round(ratio * 100) }, `${Math.round(ratio * 100)}%`),
      );
    }),
  );
}

/** @param {Paged<NotUnderstood>} answer */
function notUnderstood(answer) {
  if (answer.total === 0)
    return h('p', { class: 'state ok' }, 'Every recorded delivery was understood.');
  return [
    table(
      ['Position', 'Projection', 'Event type', 'Why', 'Delivery'],
      answer.items.map((item) => [
        item.position,
        item.projection,
        item.eventType ?? '—',
        item.message,
        h('a', { href: `#/deliveries/${encodeURIComponent(item.eventId)}` }, 'open'),
      ]),
      `${answer.total} deliver${answer.total === 1 ? 'y' : 'ies'} kept but not projected`,
    ),
  ];
}
