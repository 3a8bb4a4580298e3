/** Request and response schemas of outgoing webhooks (docs/webhooks.md). */
import { Type, type Static } from 'typebox'
import { Page, PageQuery } from '../../platform/http/pagination.ts'
import {
  BREAKER_STATES,
  DELIVERY_STATUSES,
  DELIVERY_TRIGGERS,
  DEFAULT_OVERLAP_SECONDS,
  DISABLED_REASONS,
  MAX_OVERLAP_SECONDS,
  REPLAY_STATUSES,
} from './webhooks.vocabulary.ts'

const Timestamp = Type.String({ format: 'date-time' })
const NullableTimestamp = (description: string) => Type.Union([Timestamp, Type.Null()], { description })
const Id = Type.String({ format: 'uuid' })
const oneOf = <const Values extends string[]>(values: readonly [...Values], description: string) =>
  Type.Enum(values, { description })

const EventType = Type.String({ minLength: 3, maxLength: 100, pattern: '^[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*$' })
const EventTypes = Type.Array(EventType, {
  maxItems: 100,
  uniqueItems: true,
  description:
    'Public event types delivered to the endpoint (see the event catalogue); empty or absent = every type. An unknown type is 422 WEBHOOK_EVENT_TYPE_UNKNOWN.',
})
const Url = Type.String({
  minLength: 8,
  maxLength: 2048,
  pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
  description:
    'Where deliveries are POSTed: https (http only where the deployment allows local receivers). Checked by the egress guard: private, loopback, link-local and metadata addresses are 422 WEBHOOK_URL_REFUSED.',
})
const Description = Type.String({ maxLength: 500, description: 'What the endpoint is for' })

const endpointProperties = {
  id: Id,
  url: Type.String(),
  description: Type.String(),
  eventTypes: Type.Array(Type.String(), { description: 'Empty: every public event type' }),
  enabled: Type.Boolean(),
  disabledReason: Type.Union([oneOf(DISABLED_REASONS, 'manual or gone (the receiver answered 410)'), Type.Null()]),
  disabledDetail: Type.Union([Type.String(), Type.Null()], { description: 'Why it was disabled, in words' }),
  disabledAt: NullableTimestamp('When it was disabled'),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}

export const WebhookEndpoint = Type.Object(endpointProperties, { $id: 'WebhookEndpoint', additionalProperties: false })
export type WebhookEndpoint = Static<typeof WebhookEndpoint>

const SecretField = Type.String({
  description:
    'The signing secret (whsec_ + base64 of 32 bytes) for Standard Webhooks verification. Shown only in this response; stored sealed.',
})

export const CreatedWebhookEndpoint = Type.Object(
  { ...endpointProperties, secret: SecretField },
  { $id: 'CreatedWebhookEndpoint', additionalProperties: false },
)

export const RotatedWebhookSecret = Type.Object(
  {
    secret: SecretField,
    previousSecretExpiresAt: Type.String({
      format: 'date-time',
      description: 'Until then deliveries carry a signature under the previous secret too',
    }),
  },
  { $id: 'RotatedWebhookSecret', additionalProperties: false },
)

export const CreateEndpointBody = Type.Object(
  {
    url: Url,
    description: Type.Optional(Description),
    eventTypes: Type.Optional(EventTypes),
    enabled: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
)
export type CreateEndpointBody = Static<typeof CreateEndpointBody>

export const UpdateEndpointBody = Type.Object(
  {
    url: Type.Optional(Url),
    description: Type.Optional(Description),
    eventTypes: Type.Optional(EventTypes),
    enabled: Type.Optional(
      Type.Boolean({
        description:
          'false stops deliveries (pending ones end dead, replayable); true resumes and closes the circuit breaker',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateEndpointBody = Static<typeof UpdateEndpointBody>

export const RotateSecretBody = Type.Object(
  {
    overlapSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_OVERLAP_SECONDS,
        default: DEFAULT_OVERLAP_SECONDS,
        description: `How long the previous secret keeps signing beside the new one (default ${DEFAULT_OVERLAP_SECONDS} s, at most ${MAX_OVERLAP_SECONDS} s; 0 ends it now)`,
      }),
    ),
  },
  { additionalProperties: false },
)
export type RotateSecretBody = Static<typeof RotateSecretBody>

export const EndpointParams = Type.Object({ endpointId: Id }, { additionalProperties: false })
export const MessageParams = Type.Object({ endpointId: Id, messageId: Id }, { additionalProperties: false })
export const ReplayParams = Type.Object({ endpointId: Id, replayId: Id }, { additionalProperties: false })

export const WebhookDelivery = Type.Object(
  {
    id: Id,
    endpointId: Id,
    messageId: Type.String({ format: 'uuid', description: 'The webhook-id the receiver sees' }),
    eventType: Type.String(),
    trigger: oneOf(DELIVERY_TRIGGERS, 'What started it: event, redeliver, replay or test'),
    status: oneOf(DELIVERY_STATUSES, 'pending, retrying, succeeded or dead (replayable)'),
    attempts: Type.Integer({ description: 'Attempts made' }),
    nextAttemptAt: NullableTimestamp('When the next attempt goes, while pending or retrying'),
    lastAttemptAt: NullableTimestamp('When the last attempt went'),
    lastResponseStatus: Type.Union([Type.Integer(), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()]),
    replayId: Type.Union([Id, Type.Null()]),
    createdAt: Timestamp,
    settledAt: NullableTimestamp('When it succeeded or died'),
  },
  { $id: 'WebhookDelivery', additionalProperties: false },
)
export type WebhookDelivery = Static<typeof WebhookDelivery>

export const WebhookAttempt = Type.Object(
  {
    id: Id,
    deliveryId: Id,
    messageId: Id,
    attempt: Type.Integer({ description: '1 for the first attempt of the delivery' }),
    startedAt: Timestamp,
    durationMs: Type.Integer(),
    request: Type.Object(
      {
        url: Type.String(),
        headers: Type.Record(Type.String(), Type.String(), {
          description: 'As sent, webhook-id, webhook-timestamp and webhook-signature included',
        }),
        body: Type.String({ description: 'The exact body signed and sent' }),
      },
      { additionalProperties: false },
    ),
    response: Type.Union([
      Type.Object(
        {
          status: Type.Integer(),
          body: Type.String({ description: 'At most the first 4,096 characters' }),
          truncated: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    succeeded: Type.Boolean(),
    error: Type.Union([Type.String(), Type.Null()], {
      description: 'Why it failed: HTTP <status>, timeout, a refused address, ...',
    }),
  },
  { $id: 'WebhookAttempt', additionalProperties: false },
)
export type WebhookAttempt = Static<typeof WebhookAttempt>

export const WebhookReplay = Type.Object(
  {
    id: Id,
    endpointId: Id,
    since: Timestamp,
    until: Timestamp,
    eventTypes: Type.Array(Type.String()),
    status: oneOf(REPLAY_STATUSES, 'running, completed, or cancelled (the endpoint was disabled)'),
    enqueued: Type.Integer({ description: 'Messages sent again so far' }),
    skipped: Type.Integer({ description: 'Messages already on their way to the endpoint, left alone' }),
    createdAt: Timestamp,
    completedAt: NullableTimestamp('When its last batch was enqueued'),
  },
  { $id: 'WebhookReplay', additionalProperties: false },
)
export type WebhookReplay = Static<typeof WebhookReplay>

export const ReplayBody = Type.Object(
  {
    since: Type.String({ format: 'date-time', description: 'Events that occurred at or after this instant' }),
    until: Type.Optional(
      Type.String({ format: 'date-time', description: 'And before this instant (default: when the replay is asked)' }),
    ),
    eventTypes: Type.Optional(
      Type.Array(EventType, {
        maxItems: 100,
        uniqueItems: true,
        description: "Only these types (within the endpoint's own filter); absent = every type the endpoint takes",
      }),
    ),
  },
  { additionalProperties: false },
)
export type ReplayBody = Static<typeof ReplayBody>

export const WebhookHealth = Type.Object(
  {
    endpointId: Id,
    enabled: Type.Boolean(),
    disabledReason: Type.Union([Type.String(), Type.Null()]),
    breaker: Type.Object(
      {
        state: oneOf(BREAKER_STATES, 'closed, open (deliveries wait) or half_open (one probe in flight)'),
        consecutiveFailures: Type.Integer(),
        openUntil: NullableTimestamp('While open: when a probe may go'),
      },
      { additionalProperties: false },
    ),
    last24h: Type.Object(
      {
        attempts: Type.Integer(),
        succeeded: Type.Integer(),
        successRate: Type.Union([Type.Number(), Type.Null()], { description: '0..1; null without attempts' }),
      },
      { additionalProperties: false },
    ),
    lastAttempts: Type.Object(
      {
        window: Type.Integer({ description: 'How many of the latest attempts are counted (at most 100)' }),
        succeeded: Type.Integer(),
        successRate: Type.Union([Type.Number(), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    lastSuccessAt: NullableTimestamp('The last 2xx answer'),
    lastError: Type.Union(
      [
        Type.Object(
          {
            at: Timestamp,
            error: Type.String(),
            responseStatus: Type.Union([Type.Integer(), Type.Null()]),
            deliveryId: Id,
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: 'The latest failed attempt' },
    ),
    backlog: Type.Integer({ description: 'Deliveries pending or retrying' }),
  },
  { $id: 'WebhookHealth', additionalProperties: false },
)
export type WebhookHealth = Static<typeof WebhookHealth>

export const WebhookMessage = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'The webhook-id' }),
    type: Type.String(),
    version: Type.Integer(),
    resource: Type.String(),
    sequence: Type.Integer(),
    occurredAt: Timestamp,
    envelope: Type.String({ description: 'The JSON body every delivery of the message sends' }),
  },
  { $id: 'WebhookMessage', additionalProperties: false },
)
export type WebhookMessage = Static<typeof WebhookMessage>

export const DeliveryQuery = Type.Object(
  {
    ...PageQuery.properties,
    status: Type.Optional(oneOf(DELIVERY_STATUSES, 'Only deliveries in this status')),
  },
  { additionalProperties: false },
)
export type DeliveryQuery = Static<typeof DeliveryQuery>

export const AttemptQuery = Type.Object(
  {
    ...PageQuery.properties,
    deliveryId: Type.Optional(Type.String({ format: 'uuid', description: 'Only the attempts of this delivery' })),
  },
  { additionalProperties: false },
)
export type AttemptQuery = Static<typeof AttemptQuery>

export const MessageQuery = Type.Object(
  {
    ...PageQuery.properties,
    type: Type.Optional(EventType),
  },
  { additionalProperties: false },
)
export type MessageQuery = Static<typeof MessageQuery>

export const EndpointQuery = Type.Object({ ...PageQuery.properties }, { additionalProperties: false })

export const WEBHOOK_SCHEMAS = [
  WebhookEndpoint,
  CreatedWebhookEndpoint,
  RotatedWebhookSecret,
  WebhookDelivery,
  WebhookAttempt,
  WebhookReplay,
  WebhookHealth,
  WebhookMessage,
  Page(Type.Ref('WebhookEndpoint'), 'WebhookEndpointPage'),
  Page(Type.Ref('WebhookDelivery'), 'WebhookDeliveryPage'),
  Page(Type.Ref('WebhookAttempt'), 'WebhookAttemptPage'),
  Page(Type.Ref('WebhookReplay'), 'WebhookReplayPage'),
  Page(Type.Ref('WebhookMessage'), 'WebhookMessagePage'),
]
