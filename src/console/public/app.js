/**
 * The console's shell: the key, the navigation and a hash router. Each page
 * module renders into the view and may return a function that stops what it
 * started (the operations page polls while a rebuild runs).
 */
import { forgetKey, scopeOf, storedKey, storeKey, ApiError } from './api.js';
import { failure, h, show } from './format.js';
import { renderCampaign } from './pages/campaign.js';
import { renderDelivery } from './pages/delivery.js';
import { renderOperations } from './pages/operations.js';
import { renderParticipant } from './pages/participant.js';
import { renderPrograms } from './pages/programs.js';
import { renderSearch } from './pages/search.js';

/** @typedef {{ scope: 'admin' | 'read' }} Session */

const view = /** @type {HTMLElement} */ (document.getElementById('view'));
const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));
const session = /** @type {HTMLElement} */ (document.getElementById('session'));
const scopeBadge = /** @type {HTMLElement} */ (document.getElementById('scope'));

/** @type {Session | null} */
let current = null;
/** @type {(() => void) | undefined} */
let stopPage;

/**
 * @type {[RegExp, string, (view: HTMLElement, params: string[], session: Session, query: URLSearchParams) => (void | (() => void) | Promise<void | (() => void)>)][]}
 */
const ROUTES = [
  [/^programs$/, 'programs', renderPrograms],
  [/^campaigns\/([^/]+)\/([^/]+)\/([^/]+)$/, 'programs', renderCampaign],
  [/^participants\/([^/]+)\/([^/]+)\/([^/]+)$/, 'search', renderParticipant],
  [/^deliveries\/([^/]+)$/, 'search', renderDelivery],
  [/^search$/, 'search', renderSearch],
  [/^operations$/, 'operations', renderOperations],
];

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = raw.split('?');
  return { path: path === '' ? 'programs' : path, query: new URLSearchParams(search) };
}

async function route() {
  stopPage?.();
  stopPage = undefined;
  if (current === null) return;
  const { path, query } = parseHash();
  const match = ROUTES.map(([pattern, page, render]) => ({
    found: pattern.exec(path),
    page,
    render,
  })).find((route) => route.found !== null);
  for (const link of nav.querySelectorAll('a')) {
    link.toggleAttribute('aria-current', link.dataset.page === match?.page);
  }
  if (match === undefined || match.found === null) {
    show(
      view,
      h('h1', null, 'Not found'),
      h('p', null, 'No page here. ', h('a', { href: '#/programs' }, 'Go to programs')),
    );
    return;
  }
  const params = match.found.slice(1).map((part) => decodeURIComponent(part));
  try {
    const stop = await match.render(view, params, current, query);
    if (typeof stop === 'function') stopPage = stop;
  } catch (error) {
    show(view, failure(error, 'show this page'));
  }
  window.scrollTo(0, 0);
}

/** @param {string} [message] */
function renderLogin(message) {
  nav.hidden = true;
  session.hidden = true;
  const input = h('input', {
    id: 'api-key',
    name: 'api-key',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'key-help',
  });
  const status = h('p', { class: 'form-status', role: 'status' }, message ?? '');
  const form = h(
    'form',
    {
      class: 'card login',
      onsubmit: async (/** @type {Event} */ event) => {
        event.preventDefault();
        const key = /** @type {HTMLInputElement} */ (input).value.trim();
        if (key === '') return;
        show(status, 'Checking the key…');
        try {
          const scope = await scopeOf(key);
          if (scope === null) {
            show(status, h('span', { class: 'error-text' }, 'The service does not know this key.'));
            return;
          }
          storeKey(key);
          start(scope);
        } catch (error) {
          show(status, failure(error, 'check the key'));
        }
      },
    },
    h('h1', null, 'Audit console'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h(
      'p',
      { id: 'key-help', class: 'help' },
      'A read key browses programs, participants and their ledgers. An admin key also opens the stored deliveries, re-verifies them and runs rebuilds. The key stays in this tab only.',
    ),
    h('button', { type: 'submit', class: 'primary' }, 'Open the console'),
    status,
  );
  show(view, form);
  input.focus();
}

/** @param {'admin' | 'read'} scope */
function start(scope) {
  current = { scope };
  nav.hidden = false;
  session.hidden = false;
  scopeBadge.textContent = scope === 'admin' ? 'admin key' : 'read key';
  scopeBadge.title =
    scope === 'admin' ? 'browse, raw deliveries, re-verification, rebuilds' : 'browse only';
  void route();
}

document.getElementById('logout')?.addEventListener('click', () => {
  stopPage?.();
  forgetKey();
  current = null;
  renderLogin('Signed out.');
});

window.addEventListener('hashchange', () => void route());

async function boot() {
  const key = storedKey();
  if (key === null) {
    renderLogin();
    return;
  }
  try {
    const scope = await scopeOf(key);
    if (scope === null) {
      forgetKey();
      renderLogin('That key is no longer accepted: enter one again.');
    } else start(scope);
  } catch (error) {
    renderLogin(error instanceof ApiError ? error.message : 'The service does not answer.');
  }
}

void boot();
