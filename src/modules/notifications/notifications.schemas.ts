/** Request and response schemas of the notification center (docs/notifications.md). */
import { Type, type Static } from 'typebox'
import { Page } from '../../platform/http/pagination.ts'
import { NOTIFICATION_TYPE_NAMES } from './notification-types.ts'
import { CHANNELS, CLASSES, EMAIL_FREQUENCIES } from './notifications.vocabulary.ts'

const Id = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const Enum = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) })

export const ChannelName = Enum(CHANNELS, 'A channel: email, the in-app inbox, or web push to your devices')
export const TypeName = Enum(NOTIFICATION_TYPE_NAMES, 'A notification type (docs/notifications.md lists them)')

export const Notification = Type.Object(
  {
    id: Id,
    type: Type.String({ description: 'The notification type' }),
    title: Type.String({ description: 'One line, in your language when it arrived' }),
    body: Type.String(),
    path: Nullable(Type.String({ description: "Where it leads, relative to the tenant's web client" })),
    read: Type.Boolean(),
    archived: Type.Boolean(),
    readAt: Nullable(Instant),
    archivedAt: Nullable(Instant),
    createdAt: Instant,
  },
  { $id: 'Notification', additionalProperties: false },
)
export type Notification = Static<typeof Notification>

export const NotificationPage = Page(Type.Ref('Notification'), 'NotificationPage')

export const InboxQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, allOf: [{ type: 'integer' }] })),
  cursor: Type.Optional(Type.String({ maxLength: 512, pattern: '^[A-Za-z0-9_-]+$' })),
  filter: Type.Optional(
    Enum(
      ['unread', 'archived', 'all'],
      'unread: not read and not archived; archived: archived only; all; default: not archived',
    ),
  ),
})
export type InboxQuery = Static<typeof InboxQuery>

export const UnreadCount = Type.Object(
  { unread: Type.Integer({ minimum: 0, description: 'Unread notifications that are not archived' }) },
  { $id: 'UnreadCount', additionalProperties: false },
)

export const MarkedAllRead = Type.Object(
  { marked: Type.Integer({ minimum: 0, description: 'How many were unread' }) },
  { $id: 'MarkedAllRead', additionalProperties: false },
)

const HHMM = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'Local time HH:MM' })
export const QuietHours = Type.Object(
  { startsAt: HHMM, endsAt: HHMM },
  {
    additionalProperties: false,
    description:
      "In your time zone (PATCH /v1/me; else the tenant's, else UTC), end exclusive, may wrap midnight. Email inside is sent when the window ends; security notices go at once.",
  },
)

const Frequency = Enum(
  EMAIL_FREQUENCIES,
  'Email of an activity type: immediately, or collected into one daily or weekly digest (sent from 07:00 in your time zone; weekly on Mondays)',
)

const ChannelState = Type.Object(
  {
    enabled: Type.Boolean(),
    locked: Type.Boolean({ description: 'Always sent on this channel: cannot be turned off' }),
    frequency: Type.Optional(Frequency),
  },
  { additionalProperties: false },
)

export const PreferenceEntry = Type.Object(
  {
    type: TypeName,
    channel: ChannelName,
    enabled: Type.Optional(Type.Boolean()),
    frequency: Type.Optional(Frequency),
  },
  {
    additionalProperties: false,
    minProperties: 3,
    description: 'enabled, frequency (email of activity types), or both',
  },
)

export const NotificationPreferences = Type.Object(
  {
    types: Type.Array(
      Type.Object(
        {
          type: Type.String(),
          class: Enum(CLASSES),
          channels: Type.Record(Type.String(), ChannelState, { description: 'Per channel the type uses' }),
        },
        { additionalProperties: false },
      ),
    ),
    quietHours: Nullable(QuietHours),
  },
  { $id: 'NotificationPreferences', additionalProperties: false },
)
export type NotificationPreferences = Static<typeof NotificationPreferences>

export const UpdatePreferencesBody = Type.Object(
  {
    preferences: Type.Optional(Type.Array(PreferenceEntry, { maxItems: 200 })),
    quietHours: Type.Optional(Nullable(QuietHours)),
  },
  { $id: 'UpdatePreferencesBody', additionalProperties: false, minProperties: 1 },
)
export type UpdatePreferencesBody = Static<typeof UpdatePreferencesBody>

export const NotificationSettings = Type.Object(
  {
    defaults: Type.Array(
      Type.Object(
        {
          type: Type.String(),
          channel: ChannelName,
          enabled: Type.Boolean(),
          locked: Type.Boolean(),
          frequency: Type.Optional(Frequency),
        },
        { additionalProperties: false },
      ),
      { description: "Every type's channels with the tenant's default (the type's own unless set)" },
    ),
  },
  { $id: 'NotificationSettings', additionalProperties: false },
)

export const UpdateSettingsBody = Type.Object(
  { defaults: Type.Array(PreferenceEntry, { minItems: 1, maxItems: 200 }) },
  { $id: 'UpdateSettingsBody', additionalProperties: false },
)
export type UpdateSettingsBody = Static<typeof UpdateSettingsBody>

export const NotificationIdParams = Type.Object({ notificationId: Id })

export const NOTIFICATIONS_SCHEMAS = [
  Notification,
  NotificationPage,
  UnreadCount,
  MarkedAllRead,
  NotificationPreferences,
  NotificationSettings,
]
