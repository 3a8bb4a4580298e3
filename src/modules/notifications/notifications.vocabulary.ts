/**
 * The notification center's words (docs/notifications.md). Channels are a list so web push joins
 * as one more entry: every table and schema takes its values from here.
 */

/** Where a notification goes. Web push is the next channel (issue 13). */
export const CHANNELS = ['email', 'inbox'] as const
export type Channel = (typeof CHANNELS)[number]

/**
 * security: always sent on every channel of the type, ignoring preferences and quiet hours.
 * transactional: on by default; a member may turn off a channel unless the type needs it (a receipt by email).
 * activity: on by default, opted out per type and channel, unsubscribable from the mail itself.
 */
export const CLASSES = ['security', 'transactional', 'activity'] as const
export type NotificationClass = (typeof CLASSES)[number]

/** What became of one (event, recipient, channel). */
export const DELIVERY_STATUSES = ['sent', 'deferred', 'skipped'] as const
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number]

/** Why a channel was skipped. */
export const SKIP_REASONS = ['opted_out', 'inactive', 'no_address'] as const
export type SkipReason = (typeof SKIP_REASONS)[number]

/** Locales with a full set of templates; any other falls back to the first (English). */
export const LOCALES = ['en', 'de'] as const
export type TemplateLocale = (typeof LOCALES)[number]
