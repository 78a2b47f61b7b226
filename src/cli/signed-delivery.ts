/**
 * Builds one delivery exactly as the provider would send it, signed with the
 * secrets the service itself is configured with: what `npm run send` posts.
 */
import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import type { AppConfig, NamedSecret } from '../config/app-config';
import type { JsonObject } from '../ledger/json';
import type { Provider } from '../ledger/webhook-received';
import { growsurfCampaignOf } from '../providers/growsurf/growsurf-dedupe';
import { signGrowsurf } from '../providers/growsurf/growsurf-sign';
import { secretsForTenant } from '../providers/shared/secret-selection';
import { signStandardWebhook } from '../providers/standard/standard-sign';
import { talkableFormBody } from '../providers/talkable/talkable-sign';
import { signWixDelivery } from '../providers/wix/wix-sign';

export interface SignedDelivery {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface SendOptions {
  /** Standard Webhooks: the configured source to send as (the only one when there is one). */
  readonly source?: string;
  /** Standard Webhooks: the `webhook-id` (a new one when absent, so every send is a new delivery). */
  readonly id?: string;
  /** Wix: the instance the delivery is for, when the file is a bare domain event. */
  readonly instanceId?: string;
  /** Wix: the RSA private key whose public half is WIX_APP_PUBLIC_KEY (PEM, or base64 of the PEM). */
  readonly wixPrivateKey?: string;
  readonly now?: Date;
}

export class SendError extends Error {
  override readonly name = 'SendError';
}

type Json = Record<string, unknown>;

/** `text` is the file as written: the body for GrowSurf, Refir and Standard Webhooks; see each case. */
export function signedDelivery(
  provider: Provider,
  text: string,
  config: AppConfig,
  options: SendOptions = {},
): SignedDelivery {
  const now = options.now ?? new Date();
  switch (provider) {
    case 'growsurf':
      return growsurf(text, config, now);
    case 'standard':
      return standard(text, config, options, now);
    case 'refir':
      return refir(text, config);
    case 'talkable':
      return talkable(text, config);
    case 'wix':
      return wix(text, options, now);
  }
}

/** The file is the body. Signed `ts=<Unix ms>,v=<hex HMAC-SHA256 of "ts.body">` with the campaign's secret. */
function growsurf(text: string, config: AppConfig, now: Date): SignedDelivery {
  const body = parseObject(text, 'a GrowSurf body');
  const event = typeof body.event === 'string' ? body.event : '';
  const campaign = growsurfCampaignOf(event, body as JsonObject);
  const secret = pick(
    secretsForTenant(config.webhooks.growsurf.secrets, campaign),
    'GROWSURF_WEBHOOK_SECRET (or GROWSURF_WEBHOOK_SECRETS)',
  );
  return {
    path: '/webhooks/growsurf',
    headers: {
      'content-type': 'application/json',
      'growsurf-signature': signGrowsurf(text, secret, now.getTime()),
    },
    body: text,
  };
}

/** The file is the body; headers per Standard Webhooks v1 with the source's newest secret. */
function standard(
  text: string,
  config: AppConfig,
  options: SendOptions,
  now: Date,
): SignedDelivery {
  parseObject(text, 'a Standard Webhooks body');
  const sources = [...config.webhooks.standard.sources.values()];
  const source =
    options.source === undefined
      ? sources.length === 1
        ? sources[0]
        : undefined
      : config.webhooks.standard.sources.get(options.source);
  if (source === undefined) {
    const names = sources.map((s) => s.name).join(', ') || 'none';
    throw new SendError(
      `name a source configured in STANDARD_WEBHOOK_SOURCES with --source (configured: ${names})`,
    );
  }
  const secret = pick(source.secrets, 'STANDARD_WEBHOOK_SOURCES');
  return {
    path: `/webhooks/standard/${source.name}`,
    headers: {
      'content-type': 'application/json',
      ...signStandardWebhook(text, {
        id: options.id ?? `msg_${randomUUID().replace(/-/g, '')}`,
        timestamp: Math.floor(now.getTime() / 1000),
        secret,
      }),
    },
    body: text,
  };
}

/** The file is the body; Refir proves itself by the secret token in the URL. */
function refir(text: string, config: AppConfig): SignedDelivery {
  parseObject(text, 'a Refir body');
  const token = config.webhooks.refir.token;
  if (token === undefined) throw new SendError('set REFIR_WEBHOOK_TOKEN');
  return {
    path: `/webhooks/refir/${token}`,
    headers: { 'content-type': 'application/json' },
    body: text,
  };
}

/**
 * The file is `{"site", "type", "payload"}` (as the fixtures are); it is sent
 * as Talkable's legacy form post, `key` being the site's webhook key.
 */
function talkable(text: string, config: AppConfig): SignedDelivery {
  const item = parseObject(text, 'a Talkable {site, type, payload} document');
  const site = item.site;
  const type = item.type;
  if (typeof site !== 'string' || typeof type !== 'string' || item.payload === undefined) {
    throw new SendError('a Talkable file is {"site": "...", "type": "...", "payload": {...}}');
  }
  const key = pick(
    secretsForTenant(config.webhooks.talkable.keys, site),
    'TALKABLE_WEBHOOK_KEY (or TALKABLE_WEBHOOK_KEYS)',
  );
  const payload = typeof item.payload === 'string' ? item.payload : JSON.stringify(item.payload);
  return {
    path: '/webhooks/talkable',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: talkableFormBody({ site, type, payload, key }),
  };
}

/**
 * The file is a domain event (its `entityFqdn` and `slug` give the event type)
 * or `{"instanceId", "eventType", "domainEvent"}`. Wix signs with its own key;
 * to send locally, generate a key pair, configure the public half as
 * WIX_APP_PUBLIC_KEY and give the private half here.
 */
function wix(text: string, options: SendOptions, now: Date): SignedDelivery {
  const item = parseObject(text, 'a Wix domain event');
  const wrapped = typeof item.domainEvent === 'object' && item.domainEvent !== null;
  const domainEvent = (wrapped ? item.domainEvent : item) as Json;
  const instanceId =
    options.instanceId ?? (typeof item.instanceId === 'string' ? item.instanceId : undefined);
  if (instanceId === undefined) throw new SendError('name the Wix instance with --instance');
  const eventType =
    wrapped && typeof item.eventType === 'string'
      ? item.eventType
      : `${String(domainEvent.entityFqdn)}_${String(domainEvent.slug)}`;
  if (options.wixPrivateKey === undefined) {
    throw new SendError(
      'set WIX_APP_PRIVATE_KEY to the private half of the key pair whose public half is WIX_APP_PUBLIC_KEY',
    );
  }
  return {
    path: '/webhooks/wix',
    headers: { 'content-type': 'text/plain' },
    body: signWixDelivery(domainEvent, {
      instanceId,
      eventType,
      privateKey: parsePrivateKey(options.wixPrivateKey),
      iat: Math.floor(now.getTime() / 1000),
    }),
  };
}

function parsePrivateKey(value: string): KeyObject {
  const text = value.includes('-----BEGIN')
    ? value.replace(/\\n/g, '\n')
    : Buffer.from(value, 'base64').toString('utf8');
  try {
    return createPrivateKey({ key: text, format: 'pem' });
  } catch {
    throw new SendError('WIX_APP_PRIVATE_KEY is not a PEM private key (or base64 of one)');
  }
}

/** The newest secret (the last one given), so a rotation in progress sends with the new one. */
function pick(secrets: readonly NamedSecret[], whatToSet: string): string {
  const secret = secrets[secrets.length - 1]?.secret;
  if (secret === undefined) throw new SendError(`set ${whatToSet}`);
  return secret;
}

function parseObject(text: string, what: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SendError(`the file is not JSON (${(error as Error).message}); expected ${what}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SendError(`the file must hold ${what} as a JSON object`);
  }
  return value as Json;
}
