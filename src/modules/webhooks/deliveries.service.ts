/**
 * The delivery side of an endpoint for its administrators: the deliveries and the attempt log,
 * manual redelivery of one message, bulk replays of a window, and the tenant's messages.
 */
import { recordAudit } from '../../platform/audit/audit.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { PublicEventCatalogue } from '../../platform/events/public-events.ts'
import type { PageQuery, PageResult } from '../../platform/http/pagination.ts'
import { principalId } from '../../platform/http/principal.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import { startDelivery } from './messages.ts'
import { presentAttempt, presentDelivery, presentMessage, presentReplay } from './presenters.ts'
import { REPLAY_QUEUE, type ReplayJob } from './replay.ts'
import { webhookErrors } from './webhooks.errors.ts'
import {
  attemptsCursor,
  deliveriesCursor,
  messagesCursor,
  replaysCursor,
  webhooksRepository as repo,
} from './webhooks.repository.ts'
import type {
  AttemptQuery,
  DeliveryQuery,
  MessageQuery,
  ReplayBody,
  WebhookAttempt,
  WebhookDelivery,
  WebhookMessage,
  WebhookReplay,
} from './webhooks.schemas.ts'
import { replays, type EndpointRow } from './webhooks.tables.ts'
import type { DeliveryQueue } from './window.ts'

export interface DeliveriesDeps {
  catalogue: PublicEventCatalogue
  jobs: Jobs
  queue: DeliveryQueue
}

const TARGET = 'webhook_endpoint'

export function createDeliveriesService(deps: DeliveriesDeps) {
  async function endpointOf(tx: Tx, id: string): Promise<EndpointRow> {
    const row = await repo.findEndpoint(tx, id)
    if (!row) throw webhookErrors.endpointNotFound(id)
    return row
  }

  return {
    async deliveries(
      ctx: RequestContext,
      endpointId: string,
      query: DeliveryQuery,
    ): Promise<PageResult<WebhookDelivery>> {
      const after = deliveriesCursor.decode(query.cursor)
      const limit = query.limit ?? 20
      const rows = await ctx.inTenant(
        async (tx) => {
          await endpointOf(tx, endpointId)
          return repo.listDeliveries(tx, endpointId, { status: query.status }, { limit, after })
        },
        { readOnly: true },
      )
      const page = deliveriesCursor.page(rows, limit, (r) => [r.position, r.row.id])
      return { data: page.data.map((r) => presentDelivery(r.row, r.eventType)), nextCursor: page.nextCursor }
    },

    async attempts(ctx: RequestContext, endpointId: string, query: AttemptQuery): Promise<PageResult<WebhookAttempt>> {
      const after = attemptsCursor.decode(query.cursor)
      const limit = query.limit ?? 20
      const rows = await ctx.inTenant(
        async (tx) => {
          await endpointOf(tx, endpointId)
          return repo.listAttempts(tx, endpointId, { deliveryId: query.deliveryId }, { limit, after })
        },
        { readOnly: true },
      )
      const page = attemptsCursor.page(rows, limit, (r) => [r.position, r.row.id])
      return { data: page.data.map((r) => presentAttempt(r.row)), nextCursor: page.nextCursor }
    },

    /** Sends one message to the endpoint again: a new delivery, same webhook-id, fresh schedule. */
    async redeliver(ctx: RequestContext, endpointId: string, messageId: string): Promise<WebhookDelivery> {
      return ctx.inTenant(async (tx) => {
        const endpoint = await endpointOf(tx, endpointId)
        const message = await repo.findMessage(tx, messageId)
        if (!message) throw webhookErrors.messageNotFound(messageId)
        if (message.endpointId !== null && message.endpointId !== endpointId)
          throw webhookErrors.messageNotForEndpoint(messageId)
        if (!endpoint.enabled) throw webhookErrors.endpointDisabled(endpointId)
        if (await repo.liveDelivery(tx, endpointId, messageId)) throw webhookErrors.deliveryInProgress(messageId)
        const delivery = await startDelivery(tx, deps.queue, {
          tenantId: endpoint.tenantId,
          endpointId,
          messageId,
          trigger: 'redeliver',
        })
        await recordAudit(tx, ctx, {
          action: 'webhooks.message_redelivered',
          targetType: TARGET,
          targetId: endpointId,
          details: { messageId, deliveryId: delivery.id },
        })
        return presentDelivery(delivery, message.type)
      })
    },

    async requestReplay(ctx: RequestContext, endpointId: string, body: ReplayBody): Promise<WebhookReplay> {
      const now = new Date()
      const since = new Date(body.since)
      const until = body.until === undefined ? now : new Date(body.until)
      if (until.getTime() <= since.getTime()) throw webhookErrors.badWindow('until must be after since')
      body.eventTypes?.forEach((type, index) => {
        if (!deps.catalogue.get(type)) throw webhookErrors.unknownEventType(index, type)
      })
      return ctx.inTenant(async (tx) => {
        const endpoint = await endpointOf(tx, endpointId)
        if (!endpoint.enabled) throw webhookErrors.endpointDisabled(endpointId)
        const [row] = await tx
          .insert(replays)
          .values({
            tenantId: endpoint.tenantId,
            endpointId,
            since,
            until,
            eventTypes: body.eventTypes ?? [],
            createdBy: principalId(ctx.principal),
          })
          .returning()
        if (!row) throw new Error('inserting the replay returned no row')
        await deps.jobs.send<ReplayJob>(tx, REPLAY_QUEUE, { tenantId: endpoint.tenantId, replayId: row.id })
        await recordAudit(tx, ctx, {
          action: 'webhooks.replay_requested',
          targetType: TARGET,
          targetId: endpointId,
          details: {
            replayId: row.id,
            since: since.toISOString(),
            until: until.toISOString(),
            eventTypes: row.eventTypes,
          },
        })
        return presentReplay(row)
      })
    },

    async replay(ctx: RequestContext, endpointId: string, replayId: string): Promise<WebhookReplay> {
      return ctx.inTenant(
        async (tx) => {
          await endpointOf(tx, endpointId)
          const row = await repo.findReplay(tx, endpointId, replayId)
          if (!row) throw webhookErrors.replayNotFound(replayId)
          return presentReplay(row)
        },
        { readOnly: true },
      )
    },

    async replays(ctx: RequestContext, endpointId: string, query: PageQuery): Promise<PageResult<WebhookReplay>> {
      const after = replaysCursor.decode(query.cursor)
      const limit = query.limit ?? 20
      const rows = await ctx.inTenant(
        async (tx) => {
          await endpointOf(tx, endpointId)
          return repo.listReplays(tx, endpointId, { limit, after })
        },
        { readOnly: true },
      )
      const page = replaysCursor.page(rows, limit, (r) => [r.position, r.row.id])
      return { data: page.data.map((r) => presentReplay(r.row)), nextCursor: page.nextCursor }
    },

    async messages(ctx: RequestContext, query: MessageQuery): Promise<PageResult<WebhookMessage>> {
      const after = messagesCursor.decode(query.cursor)
      const limit = query.limit ?? 20
      const rows = await ctx.inTenant((tx) => repo.listMessages(tx, { type: query.type }, { limit, after }), {
        readOnly: true,
      })
      const page = messagesCursor.page(rows, limit, (r) => [r.position, r.row.id])
      return { data: page.data.map((r) => presentMessage(r.row)), nextCursor: page.nextCursor }
    },
  }
}

export type DeliveriesService = ReturnType<typeof createDeliveriesService>
