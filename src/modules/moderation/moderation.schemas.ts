/** TypeBox request and response schemas of moderation: reports, cases, actions, appeals, settings. */
import { Type, type Static } from 'typebox'
import { Page, PageQuery } from '../../platform/http/pagination.ts'
import {
  ACTION_KINDS,
  APPEAL_STATUSES,
  CASE_RESOLUTIONS,
  CASE_STATUSES,
  FOLLOW_UP_BOUNDS,
  MODERATION_LIMITS,
  REPORT_CATEGORIES,
  SEVERITY_LEVELS,
  TARGET_KINDS,
} from './moderation.vocabulary.ts'
import { WORD_FILTER_LIMITS } from './word-filter.ts'

const Id = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const Enum = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) })
/** Visible text (not only whitespace). */
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' })

export const CaseParams = Type.Object({ caseId: Id })
export const ActionParams = Type.Object({ actionId: Id })
export const AppealParams = Type.Object({ appealId: Id })
export const CommunityParams = Type.Object({ communityId: Id })

export const CreateReportBody = Type.Object(
  {
    targetKind: Enum(TARGET_KINDS),
    targetId: Id,
    communityId: Type.Optional(
      Type.String({ format: 'uuid', description: 'For targetKind user: the community the member is reported in' }),
    ),
    category: Enum(REPORT_CATEGORIES),
    note: Type.Optional(Text(MODERATION_LIMITS.noteLength)),
  },
  { additionalProperties: false },
)
export type CreateReportBody = Static<typeof CreateReportBody>

export const Report = Type.Object(
  {
    id: Id,
    caseId: Id,
    communityId: Nullable(Id),
    targetKind: Enum(TARGET_KINDS),
    targetId: Id,
    category: Enum(REPORT_CATEGORIES),
    note: Nullable(Type.String()),
    createdAt: Instant,
  },
  { $id: 'ModerationReport', additionalProperties: false },
)
export type Report = Static<typeof Report>

const caseProperties = {
  id: Id,
  communityId: Nullable(Type.String({ format: 'uuid', description: 'Null for a tenant case (a direct message)' })),
  targetKind: Enum(TARGET_KINDS),
  targetId: Id,
  subjectUserId: Type.String({ format: 'uuid', description: 'The author of the content, or the reported member' }),
  status: Enum(CASE_STATUSES),
  resolution: Nullable(Enum(CASE_RESOLUTIONS)),
  severity: Type.Integer({ minimum: 0, maximum: 100, description: 'Computed from the reports’ signals' }),
  severityLevel: Enum(SEVERITY_LEVELS),
  reporterCount: Type.Integer({ minimum: 0 }),
  assignedTo: Nullable(Id),
  openedAt: Instant,
  escalatedAt: Nullable(Instant),
  closedAt: Nullable(Instant),
  wordFilterMatch: Nullable(
    Type.String({ description: 'The word-filter phrase the content matched (it was held), if any' }),
  ),
}
export const Case = Type.Object(caseProperties, { $id: 'ModerationCase', additionalProperties: false })
export type Case = Static<typeof Case>

export const Appeal = Type.Object(
  {
    id: Id,
    actionId: Id,
    appellantId: Id,
    statement: Type.String(),
    status: Enum(APPEAL_STATUSES),
    decidedBy: Nullable(Id),
    decidedAt: Nullable(Instant),
    decisionNote: Nullable(Type.String()),
    createdAt: Instant,
  },
  { $id: 'ModerationAppeal', additionalProperties: false },
)
export type Appeal = Static<typeof Appeal>

export const Action = Type.Object(
  {
    id: Id,
    caseId: Id,
    kind: Enum(ACTION_KINDS),
    subjectUserId: Id,
    until: Nullable(Instant),
    reason: Nullable(Type.String()),
    takenBy: Nullable(Type.String({ format: 'uuid', description: 'Null: the system (the suppress job)' })),
    takenAt: Instant,
    undoneBy: Nullable(Id),
    undoneAt: Nullable(Instant),
  },
  { $id: 'ModerationAction', additionalProperties: false },
)
export type Action = Static<typeof Action>

const Snapshot = Type.Object(
  {
    kind: Enum(TARGET_KINDS),
    authorId: Id,
    communityId: Nullable(Id),
    title: Nullable(Type.String()),
    body: Nullable(Type.String()),
    postId: Nullable(Id),
    channelId: Type.Optional(Nullable(Id)),
    threadId: Type.Optional(Nullable(Id)),
  },
  { additionalProperties: false, description: 'The target as it was when reported' },
)

export const CaseDetail = Type.Object(
  {
    ...caseProperties,
    reports: Type.Array(
      Type.Object(
        {
          id: Id,
          reporterId: Id,
          category: Enum(REPORT_CATEGORIES),
          note: Nullable(Type.String()),
          snapshot: Snapshot,
          createdAt: Instant,
        },
        { additionalProperties: false },
      ),
      { description: `The newest ${MODERATION_LIMITS.reportsInDetail} reports` },
    ),
    actions: Type.Array(Type.Ref('ModerationAction')),
    appeals: Type.Array(Type.Ref('ModerationAppeal')),
  },
  { $id: 'ModerationCaseDetail', additionalProperties: false },
)
export type CaseDetail = Static<typeof CaseDetail>

export const CasesQuery = Type.Object({
  ...PageQuery.properties,
  status: Type.Optional(Enum(CASE_STATUSES)),
  severityMin: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  targetKind: Type.Optional(Enum(TARGET_KINDS)),
  assigned: Type.Optional(Enum(['me'] as const, 'me: the cases assigned to the caller')),
})
export type CasesQuery = Static<typeof CasesQuery>

export const TakeActionBody = Type.Object(
  {
    kind: Enum(ACTION_KINDS),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'suspend only: the suspension’s end' })),
    reason: Type.Optional(Text(MODERATION_LIMITS.reasonLength)),
  },
  { additionalProperties: false },
)
export type TakeActionBody = Static<typeof TakeActionBody>

export const AppealBody = Type.Object(
  { statement: Text(MODERATION_LIMITS.statementLength) },
  { additionalProperties: false },
)
export const DecisionBody = Type.Object(
  { decision: Enum(['granted', 'denied'] as const), note: Type.Optional(Text(MODERATION_LIMITS.reasonLength)) },
  { additionalProperties: false },
)
export type DecisionBody = Static<typeof DecisionBody>

export const WordFilter = Type.Object(
  {
    phrases: Type.Array(Type.String({ minLength: 1, maxLength: WORD_FILTER_LIMITS.phraseLength }), {
      maxItems: WORD_FILTER_LIMITS.phrases,
      description: `Words or phrases of up to ${WORD_FILTER_LIMITS.maxPhraseWords} words; matched whole, case and diacritics folded`,
    }),
  },
  { $id: 'ModerationWordFilter', additionalProperties: false },
)

const Hours = Type.Integer({ minimum: FOLLOW_UP_BOUNDS.minHours, maximum: FOLLOW_UP_BOUNDS.maxHours })
export const FollowUpSettings = Type.Object(
  { escalateHours: Hours, rejectHours: Hours, suppressHours: Hours },
  { $id: 'ModerationFollowUpSettings', additionalProperties: false },
)
export type FollowUpSettings = Static<typeof FollowUpSettings>

export const MODERATION_SCHEMAS = [
  Report,
  Case,
  Appeal,
  Action,
  CaseDetail,
  FollowUpSettings,
  WordFilter,
  Page(Type.Ref('ModerationCase'), 'ModerationCasePage'),
  Page(Type.Ref('ModerationAction'), 'ModerationActionPage'),
]
