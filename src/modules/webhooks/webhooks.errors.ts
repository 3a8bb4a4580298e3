/** Error codes of outgoing webhooks (stable: clients act on them). */
import { AppError } from '../../platform/errors.ts'
import { MAX_ENDPOINTS_PER_TENANT } from './webhooks.vocabulary.ts'

export const webhookErrors = {
  endpointNotFound: (id: string) =>
    new AppError('not_found', 'WEBHOOK_ENDPOINT_NOT_FOUND', `No webhook endpoint ${id} in this tenant`),
  messageNotFound: (id: string) =>
    new AppError(
      'not_found',
      'WEBHOOK_MESSAGE_NOT_FOUND',
      `No webhook message ${id} in this tenant (or it is past retention)`,
    ),
  replayNotFound: (id: string) =>
    new AppError('not_found', 'WEBHOOK_REPLAY_NOT_FOUND', `No replay ${id} of this endpoint`),
  urlRefused: (reason: string, detail: string) =>
    new AppError('unprocessable', 'WEBHOOK_URL_REFUSED', `The endpoint URL is refused: ${detail}`, {
      extensions: { reason },
      errors: [{ path: 'body.url', message: detail, code: reason }],
    }),
  unknownEventType: (index: number, type: string) =>
    new AppError(
      'unprocessable',
      'WEBHOOK_EVENT_TYPE_UNKNOWN',
      `${type} is not a public event type (GET the event catalogue for the list)`,
      { errors: [{ path: `body.eventTypes.${index}`, message: 'is not a public event type', code: 'event_type' }] },
    ),
  tooManyEndpoints: () =>
    new AppError(
      'conflict',
      'WEBHOOK_ENDPOINT_LIMIT',
      `A tenant has at most ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints; delete one first`,
    ),
  endpointDisabled: (id: string) =>
    new AppError(
      'conflict',
      'WEBHOOK_ENDPOINT_DISABLED',
      `Webhook endpoint ${id} is disabled: enable it (PATCH enabled: true) before sending to it`,
    ),
  deliveryInProgress: (messageId: string) =>
    new AppError(
      'conflict',
      'WEBHOOK_DELIVERY_IN_PROGRESS',
      `Message ${messageId} is already on its way to this endpoint (pending or retrying); its next attempt comes on its own`,
    ),
  messageNotForEndpoint: (messageId: string) =>
    new AppError(
      'unprocessable',
      'WEBHOOK_MESSAGE_NOT_FOR_ENDPOINT',
      `Message ${messageId} is a test event of another endpoint`,
    ),
  badWindow: (detail: string) =>
    new AppError('invalid', 'WEBHOOK_REPLAY_WINDOW_INVALID', detail, {
      errors: [{ path: 'body.until', message: detail, code: 'window' }],
    }),
}
