import { createHmac } from 'node:crypto';

/** A legacy Talkable delivery body, percent-encoded as a real form post is. */
export function talkableFormBody(fields: {
  site: string;
  type: string;
  payload: string;
  key: string;
}): string {
  return new URLSearchParams({
    key: fields.key,
    site: fields.site,
    type: fields.type,
    payload: fields.payload,
  }).toString();
}

/** `x-talkable-signature` of a Custom App delivery: base64 of the hex HMAC-SHA256. */
export function signTalkableCustomApp(body: string, key: string): string {
  return Buffer.from(createHmac('sha256', key).update(body).digest('hex')).toString('base64');
}
