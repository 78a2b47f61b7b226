/** Moved to our one error vocabulary; this re-export goes once the provider folders have moved. */
export {
  rejectBadSignature,
  rejectContentType,
  rejectMalformed,
  rejectNotConfigured,
  rejectTooLarge,
  WebhookRejection,
  type RejectionStatus,
} from './errors';
