/**
 * `POST /webhooks/growsurf`: JSON `{event, createdAt, data}` signed in
 * `GrowSurf-Signature`. There is no unsigned mode: a secret must be configured.
 */
import type { WebhooksConfig } from '../../config/app-config';
import type { JsonObject } from '../../ledger/json';
import type { WebhookReceived } from '../../ledger/webhook-received';
import { checkEnvelope } from '../shared/envelope-validation';
import { rejectNotConfigured, WebhookRejection } from '../../ledger/errors';
import type { AcceptDelivery, InboundRequest } from '../provider-intake';
import { keepHeaders, requireJson } from '../shared/http-facts';
import { bodyText, parseTextBeforeVerifying } from '../shared/parse-before-verifying';
import { secretsForTenant } from '../shared/secret-selection';
import { describeGrowsurfDelivery, growsurfCampaignOf } from './growsurf-dedupe';
import { GrowsurfEnvelope } from './growsurf-envelope.dto';
import { isGrowsurfEvent } from './growsurf-events';
import { verifyGrowsurfSignature } from './growsurf-signature';

export const GROWSURF_SIGNATURE_HEADER = 'growsurf-signature';

export function createGrowsurfIntake(config: WebhooksConfig['growsurf']): AcceptDelivery {
  return (request) => {
    if (config.secrets.length === 0) {
      throw rejectNotConfigured('GROWSURF_WEBHOOK_SECRET (or GROWSURF_WEBHOOK_SECRETS)');
    }
    requireJson(request.headers);
    const decoded = parseTextBeforeVerifying(request.rawBody);
    const parsed = decoded instanceof WebhookRejection ? undefined : decoded.body;
    // The body names the campaign whose secret applies; nothing else in it is used
    // until the signature matches.
    const namedCampaign =
      parsed === undefined
        ? null
        : growsurfCampaignOf(typeof parsed.event === 'string' ? parsed.event : '', parsed);
    const keyId = verifyGrowsurfSignature(
      request.rawBody,
      request.headers[GROWSURF_SIGNATURE_HEADER],
      secretsForTenant(config.secrets, namedCampaign),
      request.receivedAt,
      config.toleranceMs,
      parsed,
    );
    if (decoded instanceof WebhookRejection) throw decoded;
    const { text, body } = decoded;
    return describe(request, text, body, {
      event: requireEnvelope(body),
      campaignId: namedCampaign ?? (keyId === '*' ? null : keyId),
      keyId,
    });
  };
}

/** Only what intake needs: the event name, its time and a `data` object. */
function requireEnvelope(body: JsonObject): string {
  return checkEnvelope(GrowsurfEnvelope, body, 'GrowSurf body').event;
}

function describe(
  { rawBody, headers, receivedAt }: InboundRequest,
  text: string,
  body: JsonObject,
  facts: { event: string; campaignId: string | null; keyId: string },
): WebhookReceived {
  const { dedupeKey, entity } = describeGrowsurfDelivery(facts.event, body, facts.campaignId);
  return {
    provider: 'growsurf',
    source: 'growsurf',
    providerEventType: facts.event,
    dedupeKey,
    tenantId: facts.campaignId,
    entity,
    receivedAt: receivedAt.toISOString(),
    verification: { method: 'growsurf-signature', signed: true, keyId: facts.keyId },
    understood: isGrowsurfEvent(facts.event),
    payload: body,
    delivery: {
      contentType: headers['content-type'] ?? null,
      // Signatures are not secrets: keeping the header lets a stored delivery be re-verified.
      headers: keepHeaders(headers, ['content-type', GROWSURF_SIGNATURE_HEADER, 'user-agent']),
      body: bodyText(rawBody, text),
    },
  };
}
