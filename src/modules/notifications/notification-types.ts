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
  /**
   * The path is one of identity's hosted pages (/reset-password, /magic-link), which Lyceum serves
   * on the tenant's host too: without a web client the link leads there instead of nowhere.
   */
  hostedPage?: boolean
}

const both = ['email', 'inbox'] as const
// Web push goes only to devices a member subscribed (an explicit opt-in), so where it is offered it is on by default.
const withPush = ['email', 'inbox', 'push'] as const
const email = ['email'] as const

export const NOTIFICATION_TYPES = {
  // Security notices always go. The link is the password reset page (no token in it): a member who
  // did not make the change requests a reset there.
  'identity.password_changed': {
    class: 'security',
    channels: both,
    defaultChannels: both,
    requiredChannels: [],
    params: {},
    path: () => '/reset-password',
    hostedPage: true,
  },
  // A receipt is needed by email; the inbox copy may be turned off.
  'commerce.receipt': {
    class: 'transactional',
    channels: both,
    defaultChannels: both,
    requiredChannels: ['email'],
    params: {
      invoiceNumber: 'text',
      total: 'text',
      sellerName: 'text',
      paidAt: 'instant',
      /** The lines, formatted: "Title: 49.00 €; …". */
      items: 'text',
      /** `standard` (taxTotal charged), `reverse_charge` or `none`. */
      taxTreatment: 'text',
      taxTotal: 'text',
    },
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

  // The mails modules used to build themselves (issue 13 point 10). Live links (verification,
  // reset, sign-in, invitation tokens) are never parameters: they travel as notify's sealed
  // `secrets.link`, which replaces the type's link in the mail only.
  'identity.email_verification': {
    class: 'security',
    channels: email,
    defaultChannels: email,
    requiredChannels: [],
    params: { validHours: 'number' },
  },
  'identity.password_reset': {
    class: 'security',
    channels: email,
    defaultChannels: email,
    requiredChannels: [],
    params: { validMinutes: 'number' },
  },
  'identity.magic_link': {
    class: 'security',
    channels: email,
    defaultChannels: email,
    requiredChannels: [],
    params: { validMinutes: 'number' },
  },
  // Someone signed up with a registered address: the owner learns of it and how to get back in
  // (security: it goes at once, even inside quiet hours, and to a suppressed address).
  'identity.account_exists': {
    class: 'security',
    channels: email,
    defaultChannels: email,
    requiredChannels: [],
    params: {},
    path: () => '/magic-link',
    hostedPage: true,
  },
  'identity.account_locked': {
    class: 'security',
    channels: both,
    defaultChannels: both,
    requiredChannels: [],
    params: { untilReset: 'boolean' },
    path: () => '/reset-password',
    hostedPage: true,
  },
  'identity.mfa_enabled': {
    class: 'security',
    channels: both,
    defaultChannels: both,
    requiredChannels: [],
    params: {},
    path: () => '/reset-password',
    hostedPage: true,
  },
  'identity.mfa_disabled': {
    class: 'security',
    channels: both,
    defaultChannels: both,
    requiredChannels: [],
    params: { byAdministrator: 'boolean' },
    path: () => '/reset-password',
    hostedPage: true,
  },
  'identity.recovery_codes_regenerated': {
    class: 'security',
    channels: both,
    defaultChannels: both,
    requiredChannels: [],
    params: {},
    path: () => '/reset-password',
    hostedPage: true,
  },
  'identity.api_key_issued': {
    class: 'security',
    channels: both,
    defaultChannels: both,
    requiredChannels: [],
    // The key's name and its public prefix, never the key.
    params: { name: 'text', prefix: 'text' },
    path: () => '/reset-password',
    hostedPage: true,
  },
  // To an address (no account yet): email only; the link carries the invitation token.
  'identity.invitation': {
    class: 'transactional',
    channels: email,
    defaultChannels: email,
    requiredChannels: email,
    params: { roles: 'text', validDays: 'number' },
  },
  'identity.instructor_application_decided': {
    class: 'transactional',
    channels: both,
    defaultChannels: both,
    requiredChannels: [],
    params: { approved: 'boolean', withNote: 'boolean', note: 'text' },
    path: () => '/',
  },
  // Welcome to the course (enrolment.enrolled): `accessEndsOn` is the last day (YYYY-MM-DD, UTC) when `expires`.
  'enrolment.enrolled': {
    class: 'transactional',
    channels: both,
    defaultChannels: both,
    requiredChannels: [],
    params: { courseTitle: 'text', courseId: 'text', expires: 'boolean', accessEndsOn: 'text' },
    path: (p) => `/courses/${String(p.courseId)}`,
  },
  'enrolment.expired': {
    class: 'transactional',
    channels: both,
    defaultChannels: both,
    requiredChannels: [],
    params: { courseTitle: 'text', courseId: 'text', expiredAt: 'instant' },
    path: (p) => `/courses/${String(p.courseId)}`,
  },
  // Drip releases are news, not a record: activity, unsubscribable.
  'progress.lesson_unlocked': {
    class: 'activity',
    channels: both,
    defaultChannels: both,
    requiredChannels: [],
    params: {
      courseTitle: 'text',
      lessonTitle: 'text',
      moduleTitle: 'text',
      wholeModule: 'boolean',
      courseId: 'text',
      lessonId: 'text',
    },
    path: (p) => `/courses/${String(p.courseId)}/lessons/${String(p.lessonId)}`,
  },
  'credentials.certificate_issued': {
    class: 'transactional',
    channels: both,
    defaultChannels: both,
    requiredChannels: [],
    // verificationUrl is the certificate's public page (anyone may check it), not a credential.
    params: {
      courseTitle: 'text',
      issuerName: 'text',
      recipientName: 'text',
      named: 'boolean',
      verificationUrl: 'text',
    },
    path: () => '/me/certificates',
  },
  // A refund is a financial record like the receipt: by email always.
  'commerce.refund': {
    class: 'transactional',
    channels: both,
    defaultChannels: both,
    requiredChannels: email,
    params: {
      creditNoteNumber: 'text',
      invoiceNumber: 'text',
      amount: 'text',
      sellerName: 'text',
      refundedAt: 'instant',
    },
    path: () => '/me/invoices',
  },
  // To each going attendee (not the member who cancelled): their plans change, so it is on by default.
  'community.event_cancelled': {
    class: 'transactional',
    channels: both,
    defaultChannels: both,
    requiredChannels: [],
    params: { title: 'text', startsAt: 'instant', communityId: 'text', eventId: 'text' },
    path: (p) => `/communities/${String(p.communityId)}/events/${String(p.eventId)}`,
  },
} as const satisfies Record<string, NotificationType>

export type NotificationTypeName = keyof typeof NOTIFICATION_TYPES
export const NOTIFICATION_TYPE_NAMES = Object.keys(NOTIFICATION_TYPES) as NotificationTypeName[]

export function notificationType(name: string): NotificationType | undefined {
  return Object.hasOwn(NOTIFICATION_TYPES, name) ? NOTIFICATION_TYPES[name as NotificationTypeName] : undefined
}

/** The keys every locale must define for a type. */
export const TYPE_MESSAGE_KEYS = ['subject', 'title', 'body'] as const
