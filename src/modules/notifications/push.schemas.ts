/** Request and response schemas of web push subscriptions (docs/notifications.md, "Web push"). */
import { Type, type Static } from 'typebox'

const Instant = Type.String({ format: 'date-time' })
const Base64Url = (description: string, minLength: number, maxLength: number) =>
  Type.String({ pattern: '^[A-Za-z0-9_-]+={0,2}$', minLength, maxLength, description })

export const VapidPublicKey = Type.Object(
  {
    publicKey: Type.String({
      description: 'The applicationServerKey for PushManager.subscribe: an uncompressed P-256 point, base64url',
    }),
  },
  { $id: 'VapidPublicKey', additionalProperties: false },
)

/** What PushSubscription.toJSON() gives, plus an optional label. */
export const PushSubscriptionBody = Type.Object(
  {
    endpoint: Type.String({
      minLength: 9,
      maxLength: 2000,
      description: "The push service's endpoint URL (https; refused when it points at a non-public address)",
    }),
    expirationTime: Type.Optional(
      Type.Union([Type.Number({ minimum: 0, maximum: 8.64e15 }), Type.Null()], {
        description: 'Milliseconds since the epoch (at most the latest JavaScript date), or null',
      }),
    ),
    keys: Type.Object(
      {
        p256dh: Base64Url("The browser's P-256 public key (65 bytes, uncompressed)", 86, 90),
        auth: Base64Url('The 16-byte authentication secret', 22, 24),
      },
      { additionalProperties: false },
    ),
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'What you call this device' })),
  },
  { $id: 'PushSubscriptionBody', additionalProperties: false },
)
export type PushSubscriptionBody = Static<typeof PushSubscriptionBody>

export const PushDevice = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    pushService: Type.String({
      description: "The push service's origin (the full endpoint is a capability and not shown)",
    }),
    label: Type.Union([Type.String(), Type.Null()]),
    expiresAt: Type.Union([Instant, Type.Null()]),
    createdAt: Instant,
    lastSuccessAt: Type.Union([Instant, Type.Null()], { description: 'When a push last reached the push service' }),
  },
  { $id: 'PushDevice', additionalProperties: false },
)
export type PushDevice = Static<typeof PushDevice>

export const PushDeviceList = Type.Object(
  { items: Type.Array(Type.Ref('PushDevice')) },
  { $id: 'PushDeviceList', additionalProperties: false },
)

export const PushDeviceParams = Type.Object({ deviceId: Type.String({ format: 'uuid' }) })

export const PUSH_SCHEMAS = [VapidPublicKey, PushDevice, PushDeviceList]
