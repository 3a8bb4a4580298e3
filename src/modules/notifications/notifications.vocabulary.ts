/**
 * The notification center's words (docs/notifications.md). Channels are a list: every table and
 * schema takes its values from here.
 */

/** Where a notification goes: mail, the in-app inbox, and web push to the member's devices. */
export const CHANNELS = ['email', 'inbox', 'push'] as const
export type Channel = (typeof CHANNELS)[number]

/**
 * security: always sent on every channel of the type, ignoring preferences and quiet hours.
 * transactional: on by default; a member may turn off a channel unless the type needs it (a receipt by email).
 * activity: on by default, opted out per type and channel, unsubscribable from the mail itself.
 */
export const CLASSES = ['security', 'transactional', 'activity'] as const
export type NotificationClass = (typeof CLASSES)[number]

/**
 * What became of one (event, recipient, channel). `queued`: a push waiting for its job;
 * `digest`: an email collected for the member's daily or weekly digest.
 */
export const DELIVERY_STATUSES = ['sent', 'deferred', 'skipped', 'queued', 'digest'] as const
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number]

/** Why a channel was skipped. */
export const SKIP_REASONS = ['opted_out', 'inactive', 'no_address', 'no_device'] as const
export type SkipReason = (typeof SKIP_REASONS)[number]

/** Locales with a full set of templates; any other falls back to the first (English). */
export const LOCALES = ['en', 'de'] as const
export type TemplateLocale = (typeof LOCALES)[number]

/** How a member receives an activity type's email: at once, or collected into a digest. */
export const EMAIL_FREQUENCIES = ['immediately', 'daily', 'weekly'] as const
export type EmailFrequency = (typeof EMAIL_FREQUENCIES)[number]
export type DigestFrequency = Exclude<EmailFrequency, 'immediately'>
