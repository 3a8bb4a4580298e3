/**
 * The moderation module's closed vocabularies and limits, free of imports so tables, schemas,
 * rules and tests share them.
 */
export const REPORT_CATEGORIES = [
  'spam',
  'harassment',
  'hate',
  'violence',
  'sexual',
  'self_harm',
  'misinformation',
  'other',
] as const
export type ReportCategory = (typeof REPORT_CATEGORIES)[number]

/**
 * What can be reported: a member of a community, a post, a comment, a community channel (chat)
 * message, a direct message (social's threads: a tenant case, without a community).
 */
export const TARGET_KINDS = ['user', 'post', 'comment', 'channel_message', 'dm_message'] as const
export type TargetKind = (typeof TARGET_KINDS)[number]

/** open: waiting; escalated: open and past its triage time; closed: resolved, dismissed or expired. */
export const CASE_STATUSES = ['open', 'escalated', 'closed'] as const
export type CaseStatus = (typeof CASE_STATUSES)[number]
export const CASE_RESOLUTIONS = ['actioned', 'dismissed', 'expired'] as const
export type CaseResolution = (typeof CASE_RESOLUTIONS)[number]

/** hide and delete act on content; suspend and ban on its author (or the reported member). */
export const ACTION_KINDS = ['hide', 'delete', 'suspend', 'ban'] as const
export type ActionKind = (typeof ACTION_KINDS)[number]
export const CONTENT_ACTIONS: readonly ActionKind[] = ['hide', 'delete']

/** The community permission each action needs (community's `can`; tenant staff hold them all). */
export const ACTION_PERMISSION = {
  hide: 'posts:moderate',
  delete: 'posts:moderate',
  suspend: 'members:suspend',
  ban: 'members:ban',
} as const satisfies Record<ActionKind, string>

export const APPEAL_STATUSES = ['pending', 'granted', 'denied'] as const
export type AppealStatus = (typeof APPEAL_STATUSES)[number]

export const SEVERITY_LEVELS = ['low', 'medium', 'high', 'critical'] as const
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number]

export const MODERATION_LIMITS = {
  noteLength: 1000,
  reasonLength: 500,
  statementLength: 2000,
  /** Reports per reporter and minute. */
  reportsPerMinute: 10,
  /** Reports shown in a case's detail (the newest). */
  reportsInDetail: 100,
} as const

/** Follow-up delays in hours: defaults, and the bounds a community may set them within. */
export const FOLLOW_UP_DEFAULTS = { escalateHours: 6, rejectHours: 12, suppressHours: 24 } as const
export const FOLLOW_UP_BOUNDS = { minHours: 1, maxHours: 168 } as const
