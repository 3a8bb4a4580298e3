/** Rows as the API shows them (webhooks.schemas.ts). */
import type { AttemptRow, DeliveryRow, EndpointRow, MessageRow, ReplayRow } from './webhooks.tables.ts'
import type {
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookMessage,
  WebhookReplay,
} from './webhooks.schemas.ts'

const iso = (at: Date | null) => (at ? at.toISOString() : null)

export const presentEndpoint = (row: EndpointRow): WebhookEndpoint => ({
  id: row.id,
  url: row.url,
  description: row.description,
  eventTypes: row.eventTypes,
  enabled: row.enabled,
  disabledReason: row.disabledReason ?? null,
  disabledDetail: row.disabledDetail,
  disabledAt: iso(row.disabledAt),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
})

export const presentDelivery = (row: DeliveryRow, eventType: string): WebhookDelivery => ({
  id: row.id,
  endpointId: row.endpointId,
  messageId: row.messageId,
  eventType,
  trigger: row.trigger,
  status: row.status,
  attempts: row.attempts,
  nextAttemptAt: row.status === 'pending' || row.status === 'retrying' ? iso(row.nextAttemptAt) : null,
  lastAttemptAt: iso(row.lastAttemptAt),
  lastResponseStatus: row.lastResponseStatus,
  lastError: row.lastError,
  replayId: row.replayId,
  createdAt: row.createdAt.toISOString(),
  settledAt: iso(row.settledAt),
})

export const presentAttempt = (row: AttemptRow): WebhookAttempt => ({
  id: row.id,
  deliveryId: row.deliveryId,
  messageId: row.messageId,
  attempt: row.attempt,
  startedAt: row.startedAt.toISOString(),
  durationMs: row.durationMs,
  request: { url: row.url, headers: row.requestHeaders, body: row.requestBody },
  response:
    row.responseStatus === null
      ? null
      : { status: row.responseStatus, body: row.responseBody ?? '', truncated: row.responseTruncated },
  succeeded: row.succeeded,
  error: row.error,
})

export const presentReplay = (row: ReplayRow): WebhookReplay => ({
  id: row.id,
  endpointId: row.endpointId,
  since: row.since.toISOString(),
  until: row.until.toISOString(),
  eventTypes: row.eventTypes,
  status: row.status,
  enqueued: row.enqueued,
  skipped: row.skipped,
  createdAt: row.createdAt.toISOString(),
  completedAt: iso(row.completedAt),
})

export const presentMessage = (row: MessageRow): WebhookMessage => ({
  id: row.id,
  type: row.type,
  version: row.version,
  resource: row.resource,
  sequence: row.sequence,
  occurredAt: row.occurredAt.toISOString(),
  envelope: row.body,
})
