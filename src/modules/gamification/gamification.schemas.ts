/** Request and response schemas of gamification (docs/gamification.md). */
import { Type, type Static } from 'typebox'
import { Page } from '../../platform/http/pagination.ts'
import {
  ENTRY_REASONS,
  POINT_EVENT_TYPES,
  SETTING_LIMITS,
  TIERS,
  type PointEventType,
} from './gamification.vocabulary.ts'

const Id = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const Enum = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) })

const perType = (maximum: number, description: string) =>
  Type.Object(
    Object.fromEntries(POINT_EVENT_TYPES.map((type) => [type, Type.Integer({ minimum: 0, maximum })])) as Record<
      PointEventType,
      ReturnType<typeof Type.Integer>
    >,
    { additionalProperties: false, description },
  )

export const GamificationSettings = Type.Object(
  {
    points: perType(SETTING_LIMITS.maxPoints, 'Points per action type (0 turns a type off)'),
    dailyCaps: perType(SETTING_LIMITS.maxDailyCap, 'Points a member earns per action type and UTC day at most'),
    tierThresholds: Type.Array(Type.Integer({ minimum: 0, maximum: SETTING_LIMITS.maxThreshold }), {
      minItems: TIERS.length,
      maxItems: TIERS.length,
      description: `Lifetime points where each tier starts (${TIERS.join(', ')}): 0 first, strictly ascending`,
    }),
    ringThreshold: Type.Integer({
      minimum: 2,
      maximum: SETTING_LIMITS.maxRingThreshold,
      description:
        'Awards among a pair (both directions) or a cycle of three within the window above which further ones are withheld',
    }),
    ringWindowHours: Type.Integer({ minimum: 1, maximum: SETTING_LIMITS.maxRingWindowHours }),
  },
  { additionalProperties: false },
)
export type GamificationSettings = Static<typeof GamificationSettings>

export const GamificationSettingsView = Type.Object(
  {
    ...GamificationSettings.properties,
    updatedAt: Nullable(Instant),
  },
  { $id: 'GamificationSettings', additionalProperties: false },
)
export type GamificationSettingsView = Static<typeof GamificationSettingsView>

export const MyPoints = Type.Object(
  {
    userId: Id,
    lifetimePoints: Type.Integer({ description: 'Everything earned, less reversals of farmed points; never spent' }),
    monthPoints: Type.Integer({ description: 'Earned this UTC month' }),
    tier: Enum(TIERS),
    nextTier: Nullable(Enum(TIERS)),
    pointsToNextTier: Nullable(Type.Integer()),
    currentStreak: Type.Integer({
      description: 'Days in a row with points, in your time zone; 0 once a day is missed',
    }),
    longestStreak: Type.Integer(),
    lastActiveDay: Nullable(Type.String({ format: 'date' })),
    timeZone: Type.String({ description: 'The zone streak days are counted in (your profile, or UTC)' }),
  },
  { $id: 'MyPoints', additionalProperties: false },
)
export type MyPoints = Static<typeof MyPoints>

export const PointEntry = Type.Object(
  {
    id: Id,
    userId: Id,
    communityId: Nullable(Id),
    eventType: Enum(POINT_EVENT_TYPES),
    points: Type.Integer(),
    reason: Enum(ENTRY_REASONS),
    createdAt: Instant,
  },
  { $id: 'PointEntry', additionalProperties: false },
)
export type PointEntry = Static<typeof PointEntry>

export const LeaderboardEntry = Type.Object(
  {
    rank: Type.Integer({ minimum: 1, description: 'Competition ranking: members with equal points share a rank' }),
    userId: Id,
    points: Type.Integer(),
  },
  { $id: 'LeaderboardEntry', additionalProperties: false },
)
export type LeaderboardEntry = Static<typeof LeaderboardEntry>

export const MyRank = Type.Object(
  {
    period: Type.String({ description: 'all, or the UTC month (YYYY-MM)' }),
    points: Type.Integer(),
    rank: Nullable(Type.Integer({ minimum: 1 })),
  },
  { $id: 'MyRank', additionalProperties: false, description: 'rank is null without points in the period' },
)

export const RingFlag = Type.Object(
  {
    id: Id,
    communityId: Nullable(Id),
    kind: Enum(['pair', 'triangle'] as const),
    memberIds: Type.Array(Id),
    withheldAwards: Type.Integer(),
    firstDetectedAt: Instant,
    lastDetectedAt: Instant,
  },
  { $id: 'RingFlag', additionalProperties: false },
)
export type RingFlag = Static<typeof RingFlag>

export const PeriodQuery = Type.Object({
  period: Type.Optional(Enum(['all', 'month'] as const, 'all (default): all time; month: this UTC month')),
})

export const GAMIFICATION_SCHEMAS = [
  GamificationSettingsView,
  MyPoints,
  PointEntry,
  LeaderboardEntry,
  MyRank,
  RingFlag,
  Page(Type.Ref('PointEntry'), 'PointEntryPage'),
  Page(Type.Ref('LeaderboardEntry'), 'LeaderboardPage'),
  Page(Type.Ref('RingFlag'), 'RingFlagPage'),
]
