export interface HttpDelivery {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

export async function post(baseUrl: string, delivery: HttpDelivery): Promise<HttpAnswer> {
  const response = await fetch(`${baseUrl}${delivery.path}`, {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
  return answer(response);
}

export async function get(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return answer(await fetch(`${baseUrl}${path}`, { headers }));
}

async function answer(response: Response): Promise<HttpAnswer> {
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: tests look at `text`
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** Changes one letter or digit of the body, at or after `from` (default: the middle). */
export function tamperBody(delivery: HttpDelivery, from?: number): HttpDelivery {
  const bytes = Buffer.from(delivery.body);
  let at = from ?? Math.floor(bytes.length / 2);
  while (at < bytes.length && !/[A-Za-z0-9]/.test(String.fromCharCode(bytes[at]!))) at++;
  bytes[at] = bytes[at] === 0x61 ? 0x62 : 0x61;
  return { ...delivery, body: bytes };
}

/** Changes one byte of a path (a URL token) at its last character. */
export function tamperPath(delivery: HttpDelivery): HttpDelivery {
  const last = delivery.path.slice(-1) === 'a' ? 'b' : 'a';
  return { ...delivery, path: `${delivery.path.slice(0, -1)}${last}` };
}
