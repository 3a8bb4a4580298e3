import { Type, type Static } from 'typebox'
import { Page, PageQuery } from '../../platform/http/pagination.ts'
import { FOLLOW_STATUSES, MESSAGE_PERMISSIONS, PROFILE_VISIBILITIES } from './social.tables.ts'

const Id = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const oneOf = <T extends string>(values: readonly T[], description: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], description })

const Visibility = oneOf(
  PROFILE_VISIBILITIES,
  'public: anyone may follow at once; private: a follow is a request the member approves or declines',
)
const Permission = oneOf(
  MESSAGE_PERMISSIONS,
  'Who may start a direct message: anyone (subject to the tenant minimum for non-followers), followers (accepted ones), nobody. The allow-list passes in every case; a block refuses in every case.',
)

export const SocialSettings = Type.Object(
  { profileVisibility: Visibility, messagePermission: Permission },
  { $id: 'SocialSettings', additionalProperties: false },
)
export type SocialSettings = Static<typeof SocialSettings>
export const SocialSettingsBody = Type.Object(
  { profileVisibility: Visibility, messagePermission: Permission },
  { additionalProperties: false },
)

/** A rank of gamification's tiers (ADR 0032); social knows the number only. */
const MinSenderTier = Type.Integer({
  minimum: 0,
  maximum: 4,
  description:
    'The gamification tier a member must have reached to message members they do not follow, by rank: 0 bronze (none), 1 silver, 2 gold, 3 platinum, 4 diamond',
})

export const DmPolicy = Type.Object(
  {
    minAccountAgeDays: Type.Integer({ minimum: 0, maximum: 3650 }),
    requireVerifiedEmail: Type.Boolean(),
    minSenderTier: MinSenderTier,
    updatedAt: Type.Union([Instant, Type.Null()], { description: 'Null while the tenant never set one' }),
  },
  { $id: 'DmPolicy', additionalProperties: false },
)
export type DmPolicy = Static<typeof DmPolicy>
export const DmPolicyBody = Type.Object(
  {
    minAccountAgeDays: Type.Integer({
      minimum: 0,
      maximum: 3650,
      description: 'Days a member’s account must exist before they may message members they do not follow (0: none)',
    }),
    requireVerifiedEmail: Type.Boolean({
      description: 'Members must have verified their email before messaging members they do not follow',
    }),
    minSenderTier: Type.Optional(MinSenderTier),
  },
  { additionalProperties: false },
)
export type DmPolicyBody = Static<typeof DmPolicyBody>

export const Follow = Type.Object(
  {
    followerId: Id,
    followeeId: Id,
    status: oneOf(FOLLOW_STATUSES, 'pending: a request the followee has not approved yet'),
    requestedAt: Instant,
    acceptedAt: Type.Union([Instant, Type.Null()]),
  },
  { $id: 'Follow', additionalProperties: false },
)
export type Follow = Static<typeof Follow>

export const MemberEntry = Type.Object(
  { userId: Id, since: Instant },
  { $id: 'SocialMemberEntry', additionalProperties: false },
)
export type MemberEntry = Static<typeof MemberEntry>

export const FollowPage = Page(Type.Ref('Follow'), 'FollowPage')
export const MemberEntryPage = Page(Type.Ref('SocialMemberEntry'), 'SocialMemberEntryPage')

const FollowState = Type.Unsafe<'none' | 'pending' | 'accepted'>({
  type: 'string',
  enum: ['none', 'pending', 'accepted'],
})

export const Relationship = Type.Object(
  {
    userId: Id,
    following: FollowState,
    followedBy: FollowState,
    blocking: Type.Boolean({ description: 'You blocked them' }),
    blockedBy: Type.Boolean({ description: 'They blocked you' }),
    muting: Type.Boolean(),
    allowListed: Type.Boolean({ description: 'They are on your DM allow-list' }),
    canMessage: Type.Object(
      {
        allowed: Type.Boolean(),
        reason: Type.Union([Type.String(), Type.Null()], { description: 'Why not (DM_NOT_ALLOWED reasons)' }),
      },
      { additionalProperties: false },
    ),
  },
  { $id: 'SocialRelationship', additionalProperties: false },
)
export type Relationship = Static<typeof Relationship>

export const UserParams = Type.Object({ userId: Id }, { additionalProperties: false })

export const FollowingQuery = Type.Object(
  {
    ...PageQuery.properties,
    status: Type.Optional(
      Type.Unsafe<'accepted' | 'pending'>({
        type: 'string',
        enum: ['accepted', 'pending'],
        default: 'accepted',
        description: 'accepted: whom you follow; pending: your requests awaiting approval',
      }),
    ),
  },
  { additionalProperties: false },
)
export type FollowingQuery = Static<typeof FollowingQuery>
