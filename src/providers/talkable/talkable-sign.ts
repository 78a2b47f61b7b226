import { createHmac } from 'node:crypto';

/**
 * A legacy Talkable delivery body, percent-encoded as a real form post is:
 * `+`, `&`, `%` and spaces inside the JSON are escaped, so a phone number's `+`
 * arrives as `%2B`. `key` comes first (tests tamper with its bytes by offset).
 */
export function talkableFormBody(fields: {
  site: string;
  type: string;
  payload: string | object;
  key: string;
}): string {
  return new URLSearchParams({
    key: fields.key,
    site: fields.site,
    type: fields.type,
    payload: typeof fields.payload === 'string' ? fields.payload : JSON.stringify(fields.payload),
  }).toString();
}

/** `x-talkable-signature` of a Custom App delivery: base64 of the hex HMAC-SHA256 text. */
export function signTalkableCustomApp(body: string | Buffer, key: string): string {
  return Buffer.from(createHmac('sha256', key).update(body).digest('hex')).toString('base64');
}
