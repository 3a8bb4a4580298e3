/**
 * Webhook endpoints of the caller's tenant: create (the secret shown once), read, change, delete,
 * rotate the secret, health, and the test button. Every change is audited. URLs pass the egress
 * guard when set; event-type filters name public event types of the catalogue.
 */
import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { recordAudit } from '../../platform/audit/audit.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { PublicEventCatalogue } from '../../platform/events/public-events.ts'
import { assertVersion } from '../../platform/http/etag.ts'
import type { PageQuery, PageResult } from '../../platform/http/pagination.ts'
import { principalId } from '../../platform/http/principal.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import { resetBreaker } from './breaker.ts'
import type { WebhookEgress } from './delivery.ts'
import { createMessage, endLiveDeliveries, startDelivery } from './messages.ts'
import { presentDelivery, presentEndpoint } from './presenters.ts'
import { issueSecret, rotateSecret } from './secrets.ts'
import { webhookErrors } from './webhooks.errors.ts'
import { endpointsCursor, webhooksRepository as repo } from './webhooks.repository.ts'
import type {
  CreateEndpointBody,
  RotateSecretBody,
  UpdateEndpointBody,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookHealth,
} from './webhooks.schemas.ts'
import { endpointHealth, endpoints, type EndpointRow } from './webhooks.tables.ts'
import { DEFAULT_OVERLAP_SECONDS, MAX_ENDPOINTS_PER_TENANT, TEST_EVENT_TYPE } from './webhooks.vocabulary.ts'
import type { DeliveryQueue } from './window.ts'

export interface EndpointsDeps {
  catalogue: PublicEventCatalogue
  egress: WebhookEgress
  jobs: Jobs
  queue: DeliveryQueue
  kek: Uint8Array
}

const TARGET = 'webhook_endpoint'

export function createEndpointsService(deps: EndpointsDeps) {
  async function checkUrl(url: string): Promise<void> {
    try {
      await deps.egress.checkUrl(url)
    } catch (error) {
      const { reason, detail, message } = error as { reason?: unknown; detail?: unknown; message?: unknown }
      if (typeof reason !== 'string') throw error
      throw webhookErrors.urlRefused(reason, typeof detail === 'string' ? detail : String(message))
    }
  }

  function checkTypes(types: readonly string[] | undefined): void {
    types?.forEach((type, index) => {
      if (!deps.catalogue.get(type)) throw webhookErrors.unknownEventType(index, type)
    })
  }

  async function load(tx: Tx, id: string, lock = false): Promise<EndpointRow> {
    const row = await repo.findEndpoint(tx, id, { lock })
    if (!row) throw webhookErrors.endpointNotFound(id)
    return row
  }

  return {
    async create(
      ctx: RequestContext,
      body: CreateEndpointBody,
    ): Promise<WebhookEndpoint & { secret: string; version: number }> {
      checkTypes(body.eventTypes)
      await checkUrl(body.url)
      const tenantId = ctx.tenantId as string
      return ctx.inTenant(async (tx) => {
        if ((await repo.countEndpoints(tx)) >= MAX_ENDPOINTS_PER_TENANT) throw webhookErrors.tooManyEndpoints()
        const enabled = body.enabled ?? true
        const [row] = await tx
          .insert(endpoints)
          .values({
            tenantId,
            url: body.url,
            description: body.description ?? '',
            eventTypes: body.eventTypes ?? [],
            enabled,
            ...(enabled ? {} : { disabledReason: 'manual' as const, disabledAt: new Date() }),
            createdBy: principalId(ctx.principal),
          })
          .returning()
        if (!row) throw new Error('inserting the endpoint returned no row')
        await tx.insert(endpointHealth).values({ tenantId, endpointId: row.id })
        const secret = await issueSecret(tx, deps.kek, tenantId, row.id)
        await recordAudit(tx, ctx, {
          action: 'webhooks.endpoint_created',
          targetType: TARGET,
          targetId: row.id,
          details: { url: row.url, eventTypes: row.eventTypes, enabled: row.enabled },
        })
        return { ...presentEndpoint(row), secret, version: row.version }
      })
    },

    async list(ctx: RequestContext, query: PageQuery): Promise<PageResult<WebhookEndpoint>> {
      const after = endpointsCursor.decode(query.cursor)
      const limit = query.limit ?? 20
      const rows = await ctx.inTenant((tx) => repo.listEndpoints(tx, { limit, after }), { readOnly: true })
      const page = endpointsCursor.page(rows, limit, (r) => [r.position, r.row.id])
      return { data: page.data.map((r) => presentEndpoint(r.row)), nextCursor: page.nextCursor }
    },

    async get(ctx: RequestContext, id: string): Promise<WebhookEndpoint & { version: number }> {
      const row = await ctx.inTenant((tx) => load(tx, id), { readOnly: true })
      return { ...presentEndpoint(row), version: row.version }
    },

    async update(
      ctx: RequestContext,
      id: string,
      body: UpdateEndpointBody,
      expected: number | undefined,
    ): Promise<WebhookEndpoint & { version: number }> {
      checkTypes(body.eventTypes)
      if (body.url !== undefined) await checkUrl(body.url)
      return ctx.inTenant(async (tx) => {
        const current = await load(tx, id, true)
        assertVersion(expected, current.version)
        const now = new Date()
        const toggled = body.enabled !== undefined && body.enabled !== current.enabled
        const [row] = await tx
          .update(endpoints)
          .set({
            ...(body.url === undefined ? {} : { url: body.url }),
            ...(body.description === undefined ? {} : { description: body.description }),
            ...(body.eventTypes === undefined ? {} : { eventTypes: body.eventTypes }),
            ...(toggled && body.enabled
              ? { enabled: true, disabledReason: null, disabledDetail: null, disabledAt: null }
              : {}),
            ...(toggled && !body.enabled
              ? { enabled: false, disabledReason: 'manual' as const, disabledDetail: null, disabledAt: now }
              : {}),
            version: current.version + 1,
            updatedAt: now,
          })
          .where(eq(endpoints.id, id))
          .returning()
        if (!row) throw webhookErrors.endpointNotFound(id)
        // Enabled again: past failures say nothing about the receiver an administrator fixed.
        if (toggled && body.enabled) await resetBreaker(tx, id, now)
        if (toggled && !body.enabled) await endLiveDeliveries(tx, id, 'an administrator disabled it', now)
        await recordAudit(tx, ctx, {
          action: toggled
            ? body.enabled
              ? 'webhooks.endpoint_enabled'
              : 'webhooks.endpoint_disabled'
            : 'webhooks.endpoint_updated',
          targetType: TARGET,
          targetId: id,
          details: { changed: Object.keys(body), ...(toggled && !body.enabled ? { reason: 'manual' } : {}) },
        })
        return { ...presentEndpoint(row), version: row.version }
      })
    },

    async remove(ctx: RequestContext, id: string): Promise<void> {
      await ctx.inTenant(async (tx) => {
        const row = await load(tx, id, true)
        await tx.delete(endpoints).where(eq(endpoints.id, id))
        await recordAudit(tx, ctx, {
          action: 'webhooks.endpoint_deleted',
          targetType: TARGET,
          targetId: id,
          details: { url: row.url },
        })
      })
    },

    async rotateSecret(ctx: RequestContext, id: string, body: RotateSecretBody) {
      const overlapSeconds = body.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS
      return ctx.inTenant(async (tx) => {
        await load(tx, id, true)
        const rotated = await rotateSecret(tx, deps.kek, ctx.tenantId as string, id, overlapSeconds, new Date())
        await recordAudit(tx, ctx, {
          action: 'webhooks.secret_rotated',
          targetType: TARGET,
          targetId: id,
          details: { overlapSeconds, previousSecretExpiresAt: rotated.previousExpiresAt.toISOString() },
        })
        return { secret: rotated.secret, previousSecretExpiresAt: rotated.previousExpiresAt.toISOString() }
      })
    },

    async health(ctx: RequestContext, id: string): Promise<WebhookHealth> {
      return ctx.inTenant(
        async (tx) => {
          const endpoint = await load(tx, id)
          const { state, figures, lastError } = await repo.health(tx, id)
          const rate = (ok: number, all: number) => (all === 0 ? null : ok / all)
          return {
            endpointId: id,
            enabled: endpoint.enabled,
            disabledReason: endpoint.disabledReason ?? null,
            breaker: {
              state: state?.breakerState ?? 'closed',
              consecutiveFailures: state?.consecutiveFailures ?? 0,
              openUntil: state?.breakerState === 'open' && state.openUntil ? state.openUntil.toISOString() : null,
            },
            last24h: {
              attempts: figures?.attempts24h ?? 0,
              succeeded: figures?.succeeded24h ?? 0,
              successRate: rate(figures?.succeeded24h ?? 0, figures?.attempts24h ?? 0),
            },
            lastAttempts: {
              window: figures?.window ?? 0,
              succeeded: figures?.succeededWindow ?? 0,
              successRate: rate(figures?.succeededWindow ?? 0, figures?.window ?? 0),
            },
            lastSuccessAt: state?.lastSuccessAt ? state.lastSuccessAt.toISOString() : null,
            lastError: lastError
              ? {
                  at: lastError.at.toISOString(),
                  error: lastError.error ?? 'failed',
                  responseStatus: lastError.responseStatus,
                  deliveryId: lastError.deliveryId,
                }
              : null,
            backlog: figures?.backlog ?? 0,
          }
        },
        { readOnly: true },
      )
    },

    /** The test button: a `webhooks.test_event` message for this endpoint only, delivered like any other. */
    async sendTestEvent(ctx: RequestContext, id: string): Promise<WebhookDelivery> {
      const tenantId = ctx.tenantId as string
      return ctx.inTenant(async (tx) => {
        const endpoint = await load(tx, id)
        if (!endpoint.enabled) throw webhookErrors.endpointDisabled(id)
        const messageId = randomUUID()
        const now = new Date()
        await createMessage(tx, {
          id: messageId,
          tenantId,
          type: TEST_EVENT_TYPE,
          version: 1,
          resource: `webhook_endpoint:${id}`,
          data: { endpointId: id, requestedBy: principalId(ctx.principal), requestedAt: now.toISOString() },
          occurredAt: now,
          eventId: null,
          endpointId: id,
        })
        const delivery = await startDelivery(tx, deps.queue, { tenantId, endpointId: id, messageId, trigger: 'test' })
        await recordAudit(tx, ctx, {
          action: 'webhooks.test_event_sent',
          targetType: TARGET,
          targetId: id,
          details: { messageId, deliveryId: delivery.id },
        })
        return presentDelivery(delivery, TEST_EVENT_TYPE)
      })
    },
  }
}

export type EndpointsService = ReturnType<typeof createEndpointsService>
