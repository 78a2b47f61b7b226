/** Small DOM and formatting helpers shared by the pages. */

/** @typedef {import('../console-types').Child<Node>} Child */

/**
 * Creates an element. Attributes starting with `on` are listeners; `class`
 * and the rest are set as attributes. Children are nodes or text (never HTML).
 * @param {string} tag
 * @param {Record<string, unknown> | null} [attributes]
 * @param {...Child} children
 * @returns {HTMLElement}
 */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), /** @type {EventListener} */ (value));
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

/**
 * @param {Node} parent
 * @param {readonly Child[]} children
 */
function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/**
 * Replaces what a container shows.
 * @param {Element} container
 * @param {...Child} children
 */
export function show(container, ...children) {
  container.replaceChildren();
  append(container, children);
}

/** @param {string} [what] */
export function loading(what = 'Loading…') {
  return h('p', { class: 'state loading', role: 'status' }, what);
}

/** @param {string} text */
export function empty(text) {
  return h('p', { class: 'state empty' }, text);
}

/**
 * @param {unknown} error
 * @param {string} [doing]
 */
export function failure(error, doing) {
  const message = error instanceof Error ? error.message : String(error);
  return h(
    'div',
    { class: 'state error', role: 'alert' },
    h('strong', null, doing ? `Could not ${doing}.` : 'Something went wrong.'),
    ' ',
    message,
  );
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * A time in the viewer's zone; the exact timestamp (UTC, to the millisecond) on hover.
 * @param {string | number | null | undefined} value ISO text or epoch milliseconds
 */
export function time(value) {
  if (value === null || value === undefined || value === '')
    return h('span', { class: 'muted' }, '—');
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return h('span', null, String(value));
  const exact = date.toISOString();
  return h(
    'time',
    { datetime: exact, title: `${exact} (shown in ${zone})` },
    dateTime.format(date),
  );
}

/** @param {string} day YYYY-MM-DD (UTC) */
export function dayLabel(day) {
  return dateOnly.format(new Date(`${day}T12:00:00Z`));
}

/**
 * An exact decimal amount with its currency, never through a float; marked when
 * the provider sent no currency and one was assumed.
 * @param {string} amount
 * @param {string} currency
 * @param {boolean} [assumed]
 */
export function money(amount, currency, assumed = false) {
  return h(
    'span',
    { class: 'money' },
    h('span', { class: 'amount' }, amount),
    ' ',
    h('span', { class: 'currency' }, currency === 'XXX' ? 'no currency' : currency),
    assumed
      ? h(
          'abbr',
          {
            class: 'assumed',
            title: 'the provider sent no currency: this one was assumed from the configuration',
          },
          'assumed',
        )
      : null,
  );
}

/**
 * A reward's value, whatever its kind.
 * @param {{ kind: string, amount?: string, currency?: string, currencyAssumed?: boolean, points?: string }} value
 */
export function rewardValue(value) {
  switch (value.kind) {
    case 'money':
      return money(value.amount ?? '', value.currency ?? 'XXX', value.currencyAssumed === true);
    case 'points':
      return h('span', { class: 'money' }, `${value.points ?? '?'} points`);
    default:
      return h('span', { class: 'muted' }, 'no amount');
  }
}

/**
 * A status word as a coloured chip.
 * @param {string} status
 */
export function chip(status) {
  return h('span', { class: `chip chip-${status.replace(/[^a-z-]/g, '')}` }, status);
}

/**
 * `provider:tenant:id` → the console path of that participant or campaign.
 * @param {'participants' | 'campaigns'} kind
 * @param {string} key
 */
export function keyHref(kind, key) {
  const [provider = '', tenant = '', ...rest] = key.split(':');
  const id = rest.join(':');
  return `#/${kind}/${[provider, tenant, id].map(encodeURIComponent).join('/')}`;
}

/**
 * `provider:tenant:id` → the API path segments.
 * @param {string} key
 */
export function keyPath(key) {
  const [provider = '', tenant = '', ...rest] = key.split(':');
  return [provider, tenant, rest.join(':')].map(encodeURIComponent).join('/');
}

/**
 * A link to a participant, named when known.
 * @param {string | null} key
 * @param {string | null} [label]
 */
export function participantLink(key, label) {
  if (key === null) return h('span', { class: 'muted' }, 'unknown');
  return h('a', { href: keyHref('participants', key) }, label ?? key);
}

/**
 * A definition list from label/value pairs.
 * @param {[string, unknown][]} pairs
 */
export function facts(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs.map(([label, value]) => [
      h('dt', null, label),
      h('dd', null, /** @type {Node | string} */ (value)),
    ]),
  );
}

/**
 * A table that stays readable on a phone (it scrolls sideways inside its box).
 * @param {string[]} headers
 * @param {unknown[][]} rows
 * @param {string} [caption]
 */
export function table(headers, rows, caption) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      null,
      caption ? h('caption', null, caption) : null,
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          headers.map((name) => h('th', { scope: 'col' }, name)),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((cells) =>
          h(
            'tr',
            null,
            // Each cell names its column: on a phone the rows stack as label/value pairs.
            cells.map((cell, index) =>
              h('td', { 'data-label': headers[index] ?? '' }, /** @type {Node | string} */ (cell)),
            ),
          ),
        ),
      ),
    ),
  );
}

/** What the API leaves where an erased person's email or name was: a stable pseudonym (docs/erasure.md). */
const ERASED = /^ps_[0-9a-f]{24}\.[A-Za-z_][A-Za-z0-9_]*( |$)/;

/**
 * A person's email or name as shown: "erased" (the pseudonym on hover) once it is gone.
 * @param {string | null} value
 * @returns {Child}
 */
export function personal(value) {
  if (value === null || !ERASED.test(value)) return value;
  return h('span', { class: 'muted', title: value }, 'erased');
}
