/**
 * The REST API, with the key the user entered. The key stays in this tab's
 * sessionStorage (gone when the tab closes) and is sent as a bearer token to
 * this same origin only.
 */
const KEY_ITEM = 'referral-ledger.api-key';

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} title
   * @param {string | undefined} detail
   */
  constructor(status, title, detail) {
    super(detail ? `${title}: ${detail}` : title);
    this.status = status;
    this.title = title;
    this.detail = detail;
  }
}

export function storedKey() {
  return sessionStorage.getItem(KEY_ITEM);
}

/** @param {string} key */
export function storeKey(key) {
  sessionStorage.setItem(KEY_ITEM, key);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY_ITEM);
}

/**
 * @param {string} path
 * @param {{ method?: string, body?: unknown, key?: string | null }} [options]
 * @returns {Promise<unknown>} the answer's JSON; each page says what it expects
 */
export async function api(path, options = {}) {
  const key = options.key ?? storedKey();
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  let body;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let response;
  try {
    response = await fetch(path, { method: options.method ?? 'GET', headers, body });
  } catch {
    throw new ApiError(0, 'The service does not answer', 'check that it is running');
  }
  const text = await response.text();
  let json = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  if (!response.ok) {
    const title = json?.title ?? (response.statusText || `HTTP ${response.status}`);
    throw new ApiError(response.status, title, json?.detail);
  }
  return json;
}

/**
 * Which key this is: 'admin', 'read', or null when the service refuses it.
 * @param {string} key
 */
export async function scopeOf(key) {
  try {
    await api('/projections/status', { key });
    return 'admin';
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return 'read';
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}
