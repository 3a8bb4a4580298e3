/** Routes of webhook endpoints: schema → service → reply (docs/webhooks.md). */
import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import { expectedVersion, setEtag } from '../../platform/http/etag.ts'
import type { App } from '../../platform/http/server.ts'
import type { EndpointsService } from './endpoints.service.ts'
import {
  CreateEndpointBody,
  EndpointParams,
  EndpointQuery,
  RotateSecretBody,
  UpdateEndpointBody,
} from './webhooks.schemas.ts'

export const tags = ['webhooks']
/**
 * People only: an endpoint outlives the credential that made it and carries every event away, so
 * an API key (which a leak could turn into a standing copy of the tenant's events) never manages
 * one; neither does an impersonator (the privileged routes).
 */
export const webhookAccess = { access: tenantAccess({ allOf: ['webhooks:manage'], peopleOnly: true }) }
const change = { ...webhookAccess, privileged: true }
export const CURSOR = 'A cursor this API did not issue is 400 INVALID_CURSOR.'
const NOT_FOUND = "Another tenant's or an unknown endpoint is 404 WEBHOOK_ENDPOINT_NOT_FOUND."

export function endpointRoutes(service: EndpointsService) {
  return async function routes(app: App) {
    app.post(
      '/v1/webhook-endpoints',
      {
        schema: {
          summary: 'Create a webhook endpoint',
          description:
            'Every public event of the tenant that the filter takes is POSTed to the URL, signed per Standard Webhooks. The response is the only place the signing secret appears. The URL passes the egress guard (422 WEBHOOK_URL_REFUSED); unknown event types are 422 WEBHOOK_EVENT_TYPE_UNKNOWN; at most 20 endpoints per tenant (409 WEBHOOK_ENDPOINT_LIMIT). Audited.',
          tags,
          operationId: 'createWebhookEndpoint',
          body: CreateEndpointBody,
          response: { 201: Type.Ref('CreatedWebhookEndpoint') },
        },
        config: change,
      },
      async (request, reply) => {
        const { version, ...created } = await service.create(request.ctx, request.body)
        setEtag(reply, version)
        return reply.status(201).send(created)
      },
    )

    app.get(
      '/v1/webhook-endpoints',
      {
        schema: {
          summary: "List the tenant's webhook endpoints",
          description: `Oldest first; never their secrets. ${CURSOR}`,
          tags,
          operationId: 'listWebhookEndpoints',
          querystring: EndpointQuery,
          response: { 200: Type.Ref('WebhookEndpointPage') },
        },
        config: webhookAccess,
      },
      async (request) => service.list(request.ctx, request.query),
    )

    app.get(
      '/v1/webhook-endpoints/:endpointId',
      {
        schema: {
          summary: 'Show a webhook endpoint',
          description: `With its ETag for PATCH. A disabled endpoint says why (manual, or gone: the receiver answered 410). ${NOT_FOUND}`,
          tags,
          operationId: 'getWebhookEndpoint',
          params: EndpointParams,
          response: { 200: Type.Ref('WebhookEndpoint') },
        },
        config: webhookAccess,
      },
      async (request, reply) => {
        const { version, ...endpoint } = await service.get(request.ctx, request.params.endpointId)
        setEtag(reply, version)
        return endpoint
      },
    )

    app.patch(
      '/v1/webhook-endpoints/:endpointId',
      {
        schema: {
          summary: 'Change a webhook endpoint',
          description: `URL, description, event-type filter, enabled. Disabling ends its deliveries under way as dead (replayable); enabling closes its circuit breaker. Audited. ${NOT_FOUND}`,
          tags,
          operationId: 'updateWebhookEndpoint',
          params: EndpointParams,
          body: UpdateEndpointBody,
          response: { 200: Type.Ref('WebhookEndpoint') },
        },
        config: { ...change, ifMatch: 'optional' },
      },
      async (request, reply) => {
        const { version, ...endpoint } = await service.update(
          request.ctx,
          request.params.endpointId,
          request.body,
          expectedVersion(request),
        )
        setEtag(reply, version)
        return endpoint
      },
    )

    app.delete(
      '/v1/webhook-endpoints/:endpointId',
      {
        schema: {
          summary: 'Delete a webhook endpoint',
          description: `Its secrets, deliveries and delivery log go with it; the tenant's messages stay for other endpoints and replays. Audited. ${NOT_FOUND}`,
          tags,
          operationId: 'deleteWebhookEndpoint',
          params: EndpointParams,
          response: { 204: Type.Null({ description: 'Deleted' }) },
        },
        config: change,
      },
      async (request, reply) => {
        await service.remove(request.ctx, request.params.endpointId)
        return reply.status(204).send(null)
      },
    )

    app.post(
      '/v1/webhook-endpoints/:endpointId/secret/rotate',
      {
        schema: {
          summary: "Rotate a webhook endpoint's signing secret",
          description: `Returns the new secret (shown only here). For overlapSeconds (default a day, at most a week) deliveries are signed with both the new and the previous secret (two v1 signatures), so the receiver can switch without losing a delivery; a secret still in an earlier overlap stops signing now. Audited. ${NOT_FOUND}`,
          tags,
          operationId: 'rotateWebhookSecret',
          params: EndpointParams,
          body: RotateSecretBody,
          response: { 200: Type.Ref('RotatedWebhookSecret') },
        },
        config: change,
      },
      async (request) => service.rotateSecret(request.ctx, request.params.endpointId, request.body),
    )

    app.get(
      '/v1/webhook-endpoints/:endpointId/health',
      {
        schema: {
          summary: "A webhook endpoint's health",
          description: `Success rate over the last 24 hours and the last 100 attempts, the last error and the last success, the circuit breaker (state, consecutive failures, when an open one lets a probe through) and the backlog. ${NOT_FOUND}`,
          tags,
          operationId: 'getWebhookEndpointHealth',
          params: EndpointParams,
          response: { 200: Type.Ref('WebhookHealth') },
        },
        config: webhookAccess,
      },
      async (request) => service.health(request.ctx, request.params.endpointId),
    )

    app.post(
      '/v1/webhook-endpoints/:endpointId/test-event',
      {
        schema: {
          summary: 'Send a test event to a webhook endpoint',
          description: `Delivers a webhooks.test_event message (not a domain event: it goes to this endpoint only, whatever its filter, and no replay sends it) signed and retried like any other; follow it in the deliveries. A disabled endpoint is 409 WEBHOOK_ENDPOINT_DISABLED. Audited. ${NOT_FOUND}`,
          tags,
          operationId: 'sendWebhookTestEvent',
          params: EndpointParams,
          response: { 202: Type.Ref('WebhookDelivery') },
        },
        config: webhookAccess,
      },
      async (request, reply) =>
        reply.status(202).send(await service.sendTestEvent(request.ctx, request.params.endpointId)),
    )
  }
}
