/** The closed sets and limits of community posts (tables, schemas and services share them). */

export const POST_STATES = ['draft', 'scheduled', 'published'] as const
export type PostState = (typeof POST_STATES)[number]

/** A small closed set, like the reactions of Circle and LinkedIn; clients draw them. */
export const REACTION_KINDS = ['like', 'love', 'celebrate', 'insightful', 'laugh'] as const
export type ReactionKind = (typeof REACTION_KINDS)[number]

export const POST_LIMITS = {
  title: 200,
  body: 20_000,
  comment: 5_000,
  mentions: 20,
  pollOptionLabel: 120,
  pollOptionsMin: 2,
  pollOptionsMax: 10,
  /** Pinned posts per community: page one stays a page of news, not of notices. */
  pinned: 3,
  /** How far ahead a post may be scheduled. */
  scheduleDays: 365,
} as const

export const DEFAULT_POSTS_PER_MINUTE = 10
export const DEFAULT_COMMENTS_PER_MINUTE = 30
