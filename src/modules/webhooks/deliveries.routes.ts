/** Routes of webhook deliveries, the delivery log, redelivery, replays and messages (docs/webhooks.md). */
import { Type } from 'typebox'
import { PageQuery } from '../../platform/http/pagination.ts'
import type { App } from '../../platform/http/server.ts'
import type { DeliveriesService } from './deliveries.service.ts'
import { CURSOR, tags, webhookAccess } from './endpoints.routes.ts'
import {
  AttemptQuery,
  DeliveryQuery,
  EndpointParams,
  MessageParams,
  MessageQuery,
  ReplayBody,
  ReplayParams,
} from './webhooks.schemas.ts'

const NOT_FOUND = "Another tenant's or an unknown endpoint is 404 WEBHOOK_ENDPOINT_NOT_FOUND."
const ReplayPageQuery = Type.Object({ ...PageQuery.properties }, { additionalProperties: false })

export function deliveryRoutes(service: DeliveriesService) {
  return async function routes(app: App) {
    app.get(
      '/v1/webhook-endpoints/:endpointId/deliveries',
      {
        schema: {
          summary: "A webhook endpoint's deliveries",
          description: `Newest first; each is one message to this endpoint with its status (pending, retrying, succeeded, dead), attempts made and the next attempt's time. ${NOT_FOUND} ${CURSOR}`,
          tags,
          operationId: 'listWebhookDeliveries',
          params: EndpointParams,
          querystring: DeliveryQuery,
          response: { 200: Type.Ref('WebhookDeliveryPage') },
        },
        config: webhookAccess,
      },
      async (request) => service.deliveries(request.ctx, request.params.endpointId, request.query),
    )

    app.get(
      '/v1/webhook-endpoints/:endpointId/attempts',
      {
        schema: {
          summary: "A webhook endpoint's delivery log",
          description: `Every attempt, newest first: when, the request as sent (URL, headers with webhook-id, webhook-timestamp and webhook-signature, body), the response status and its first 4,096 characters, the duration and the error. ${NOT_FOUND} ${CURSOR}`,
          tags,
          operationId: 'listWebhookAttempts',
          params: EndpointParams,
          querystring: AttemptQuery,
          response: { 200: Type.Ref('WebhookAttemptPage') },
        },
        config: webhookAccess,
      },
      async (request) => service.attempts(request.ctx, request.params.endpointId, request.query),
    )

    app.post(
      '/v1/webhook-endpoints/:endpointId/messages/:messageId/redeliver',
      {
        schema: {
          summary: 'Redeliver one message to a webhook endpoint',
          description: `A new delivery of the message (same webhook-id, so a receiver that already has it can drop it) on a fresh schedule, whatever the endpoint's filter. 404 WEBHOOK_MESSAGE_NOT_FOUND for an unknown message or one past retention; 409 WEBHOOK_DELIVERY_IN_PROGRESS while a delivery of it is pending or retrying; 409 WEBHOOK_ENDPOINT_DISABLED. Audited. ${NOT_FOUND}`,
          tags,
          operationId: 'redeliverWebhookMessage',
          params: MessageParams,
          response: { 202: Type.Ref('WebhookDelivery') },
        },
        config: webhookAccess,
      },
      async (request, reply) =>
        reply
          .status(202)
          .send(await service.redeliver(request.ctx, request.params.endpointId, request.params.messageId)),
    )

    app.post(
      '/v1/webhook-endpoints/:endpointId/replays',
      {
        schema: {
          summary: 'Replay the events of a window to a webhook endpoint',
          description: `Every message of the tenant that occurred in [since, until) and that the endpoint's filter (and the optional types) takes is delivered again, oldest first, by a job in batches of 100, including events of a time the endpoint was disabled. Messages already on their way to the endpoint are skipped. until must be after since (400 WEBHOOK_REPLAY_WINDOW_INVALID); 409 WEBHOOK_ENDPOINT_DISABLED. Audited. ${NOT_FOUND}`,
          tags,
          operationId: 'replayWebhookMessages',
          params: EndpointParams,
          body: ReplayBody,
          response: { 202: Type.Ref('WebhookReplay') },
        },
        config: webhookAccess,
      },
      async (request, reply) =>
        reply.status(202).send(await service.requestReplay(request.ctx, request.params.endpointId, request.body)),
    )

    app.get(
      '/v1/webhook-endpoints/:endpointId/replays',
      {
        schema: {
          summary: "A webhook endpoint's replays",
          description: `Newest first, with how many messages each sent again. ${NOT_FOUND} ${CURSOR}`,
          tags,
          operationId: 'listWebhookReplays',
          params: EndpointParams,
          querystring: ReplayPageQuery,
          response: { 200: Type.Ref('WebhookReplayPage') },
        },
        config: webhookAccess,
      },
      async (request) => service.replays(request.ctx, request.params.endpointId, request.query),
    )

    app.get(
      '/v1/webhook-endpoints/:endpointId/replays/:replayId',
      {
        schema: {
          summary: 'Show a replay',
          description: `Its window, status (running, completed, cancelled when the endpoint was disabled) and counts. 404 WEBHOOK_REPLAY_NOT_FOUND. ${NOT_FOUND}`,
          tags,
          operationId: 'getWebhookReplay',
          params: ReplayParams,
          response: { 200: Type.Ref('WebhookReplay') },
        },
        config: webhookAccess,
      },
      async (request) => service.replay(request.ctx, request.params.endpointId, request.params.replayId),
    )

    app.get(
      '/v1/webhook-messages',
      {
        schema: {
          summary: "The tenant's webhook messages",
          description: `Every public event of the tenant as the envelope endpoints receive, newest first, kept at least 90 days whatever endpoints exist: the ids to redeliver and the windows to replay. ${CURSOR}`,
          tags,
          operationId: 'listWebhookMessages',
          querystring: MessageQuery,
          response: { 200: Type.Ref('WebhookMessagePage') },
        },
        config: webhookAccess,
      },
      async (request) => service.messages(request.ctx, request.query),
    )
  }
}
