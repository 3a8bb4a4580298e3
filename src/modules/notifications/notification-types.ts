/**
 * The registry of notification types: for each, its class, the channels it may use, those on by
 * default, those a member cannot turn off, the parameters its templates read and where it leads.
 * A type's templates are the `<type>.*` keys of every locale's messages (templates/).
 */
import type { Channel, NotificationClass } from './notifications.vocabulary.ts'

/** A template parameter: text, a number, a yes/no (ICU `select` on true/false) or an instant (formatted in the recipient's zone). */
export type ParamKind = 'text' | 'number' | 'boolean' | 'instant'

export interface NotificationType {
  class: NotificationClass
  /** Channels the type may use at all. */
  channels: readonly Channel[]
  /** Channels used unless the tenant or the member turned them off. */
  defaultChannels: readonly Channel[]
  /** Channels a transactional type always uses (e.g. receipts by email): preferences cannot turn them off. */
  requiredChannels: readonly Channel[]
  /** The parameters its messages use, all required. */
  params: Readonly<Record<string, ParamKind>>
  /** The page it is about, relative to the tenant's web client (no link when the tenant has none). */
  path?: (params: Record<string, string | number | boolean>) => string
}

const both = ['email', 'inbox'] as const
// Web push goes only to devices a member subscribed (an explicit opt-in), so where it is offered it is on by default.
const withPush = ['email', 'inbox', 'push'] as const

export const NOTIFICATION_TYPES = {
  // Security notices always go (identity moves its ad-hoc notices here next, issue 13 point 10).
  'identity.password_changed': {
    class: 'security',
    channels: both,
    defaultChannels: both,
    requiredChannels: [],
    params: { resetUrl: 'text' },
  },
  // A receipt is needed by email; the inbox copy may be turned off.
  'commerce.receipt': {
    class: 'transactional',
    channels: both,
    defaultChannels: both,
    requiredChannels: ['email'],
    params: { invoiceNumber: 'text', total: 'text', sellerName: 'text' },
    path: () => '/me/invoices',
  },
  'assessment.submission_graded': {
    class: 'transactional',
    channels: withPush,
    defaultChannels: withPush,
    requiredChannels: [],
    params: {
      courseTitle: 'text',
      lessonTitle: 'text',
      points: 'number',
      maxPoints: 'number',
      passed: 'boolean',
      late: 'boolean',
      courseId: 'text',
      lessonId: 'text',
    },
    path: (p) => `/courses/${String(p.courseId)}/lessons/${String(p.lessonId)}`,
  },
  'community.post_mentioned': {
    class: 'activity',
    channels: withPush,
    defaultChannels: withPush,
    requiredChannels: [],
    params: { authorName: 'text', communityId: 'text', postId: 'text' },
    path: (p) => `/communities/${String(p.communityId)}/posts/${String(p.postId)}`,
  },
  'community.comment_created': {
    class: 'activity',
    channels: withPush,
    // A busy post would flood the mailbox: the inbox only, unless the member turns mail on.
    defaultChannels: ['inbox'],
    requiredChannels: [],
    params: { authorName: 'text', communityId: 'text', postId: 'text' },
    path: (p) => `/communities/${String(p.communityId)}/posts/${String(p.postId)}`,
  },
  'community.event_reminder_due': {
    class: 'activity',
    channels: withPush,
    defaultChannels: withPush,
    requiredChannels: [],
    params: { title: 'text', startsAt: 'instant', communityId: 'text', eventId: 'text' },
    path: (p) => `/communities/${String(p.communityId)}/events/${String(p.eventId)}`,
  },
  'moderation.appeal_decided': {
    class: 'transactional',
    channels: withPush,
    defaultChannels: withPush,
    requiredChannels: [],
    params: { granted: 'boolean' },
  },
} as const satisfies Record<string, NotificationType>

export type NotificationTypeName = keyof typeof NOTIFICATION_TYPES
export const NOTIFICATION_TYPE_NAMES = Object.keys(NOTIFICATION_TYPES) as NotificationTypeName[]

export function notificationType(name: string): NotificationType | undefined {
  return Object.hasOwn(NOTIFICATION_TYPES, name) ? NOTIFICATION_TYPES[name as NotificationTypeName] : undefined
}

/** The keys every locale must define for a type. */
export const TYPE_MESSAGE_KEYS = ['subject', 'title', 'body'] as const
