/** TypeBox request and response schemas of the community routes (type and schema share the name). */
import { Type, type Static } from 'typebox'
import { Page, PageQuery } from '../../platform/http/pagination.ts'
import {
  BASE_ROLES,
  CHANNEL_ACCESS_RULES,
  CHANNEL_KINDS,
  COMMUNITY_PERMISSIONS,
  COMMUNITY_STATUSES,
  COMMUNITY_VISIBILITIES,
  MEMBERSHIP_STATES,
  SOURCE_KINDS,
} from './community.vocabulary.ts'

const Id = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const Enum = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) })

export const SLUG_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*$'
const Slug = Type.String({ minLength: 2, maxLength: 64, pattern: SLUG_PATTERN })
const Name = Type.String({ minLength: 1, maxLength: 120 })
const Description = Type.String({ maxLength: 4000 })
const Reason = Type.String({ minLength: 1, maxLength: 500 })
/** A grant's reference: the subscription (period) or the caller's own key for it. */
export const SOURCE_REF_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'
const SourceRef = Type.String({ minLength: 1, maxLength: 128, pattern: SOURCE_REF_PATTERN })

export const CommunityParams = Type.Object({ communityId: Id })
export const MemberParams = Type.Object({ communityId: Id, userId: Id })
export const ChannelParams = Type.Object({ communityId: Id, channelId: Id })
export const RoleParams = Type.Object({ communityId: Id, roleId: Id })
export const InvitationParams = Type.Object({ communityId: Id, invitationId: Id })
export const GrantParams = Type.Object({ communityId: Id, sourceRef: SourceRef })

export const MyMembership = Type.Object(
  {
    state: Enum(MEMBERSHIP_STATES),
    role: Enum(BASE_ROLES),
    customRoleId: Nullable(Id),
    suspendedUntil: Nullable(Instant),
  },
  { description: "The caller's membership; null when they never joined" },
)

export const Community = Type.Object(
  {
    id: Id,
    slug: Type.String(),
    name: Type.String(),
    description: Type.String(),
    visibility: Enum(COMMUNITY_VISIBILITIES),
    courseId: Nullable(Id),
    status: Enum(COMMUNITY_STATUSES),
    createdBy: Id,
    createdAt: Instant,
    archivedAt: Nullable(Instant),
    version: Type.Integer(),
    membership: Nullable(MyMembership),
  },
  { $id: 'Community', additionalProperties: false },
)
export type Community = Static<typeof Community>

export const CreateCommunityBody = Type.Object(
  {
    slug: Slug,
    name: Name,
    description: Type.Optional(Description),
    visibility: Enum(COMMUNITY_VISIBILITIES),
    courseId: Type.Optional(Nullable(Id)),
  },
  { additionalProperties: false },
)
export type CreateCommunityBody = Static<typeof CreateCommunityBody>

export const UpdateCommunityBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    visibility: Type.Optional(Enum(COMMUNITY_VISIBILITIES)),
    courseId: Type.Optional(Nullable(Id)),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateCommunityBody = Static<typeof UpdateCommunityBody>

export const CommunityListQuery = Type.Object({
  ...PageQuery.properties,
  mine: Type.Optional(Type.Boolean({ description: 'Only communities you are an active (or suspended) member of' })),
})
export type CommunityListQuery = Static<typeof CommunityListQuery>

export const MembershipSource = Type.Object({
  kind: Enum(SOURCE_KINDS),
  sourceRef: Nullable(Type.String()),
  grantedBy: Type.String(),
  createdAt: Instant,
  revokedAt: Nullable(Instant),
  revokedReason: Nullable(Type.String()),
})

export const Membership = Type.Object(
  {
    communityId: Id,
    userId: Id,
    state: Enum(MEMBERSHIP_STATES),
    role: Enum(BASE_ROLES),
    customRoleId: Nullable(Id),
    joinedAt: Nullable(Instant),
    requestedAt: Nullable(Instant),
    suspendedUntil: Nullable(Instant),
    bannedAt: Nullable(Instant),
    endedReason: Nullable(Type.String()),
    sources: Type.Optional(Type.Array(MembershipSource, { description: 'Moderators and the member themself' })),
  },
  { $id: 'Membership', additionalProperties: false },
)
export type Membership = Static<typeof Membership>

export const MemberListQuery = Type.Object({
  ...PageQuery.properties,
  state: Type.Optional(
    Enum(MEMBERSHIP_STATES, 'Default active (and suspended); other states need members:approve or members:ban'),
  ),
})
export type MemberListQuery = Static<typeof MemberListQuery>

export const AddMemberBody = Type.Object({ userId: Id }, { additionalProperties: false })
export const BanBody = Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false })
export const SuspendBody = Type.Object(
  { until: Instant, reason: Type.Optional(Reason) },
  { additionalProperties: false },
)
export type SuspendBody = Static<typeof SuspendBody>
export const RoleBody = Type.Object(
  { role: Enum(BASE_ROLES), customRoleId: Type.Optional(Nullable(Id)) },
  { additionalProperties: false },
)
export type RoleBody = Static<typeof RoleBody>
export const TransferBody = Type.Object({ userId: Id }, { additionalProperties: false })
export const GrantBody = Type.Object({ userId: Id, sourceRef: SourceRef }, { additionalProperties: false })
export type GrantBody = Static<typeof GrantBody>

export const Invitation = Type.Object(
  {
    id: Id,
    communityId: Id,
    inviteeId: Id,
    invitedBy: Id,
    createdAt: Instant,
    expiresAt: Instant,
    acceptedAt: Nullable(Instant),
    revokedAt: Nullable(Instant),
  },
  { $id: 'CommunityInvitation', additionalProperties: false },
)
export type Invitation = Static<typeof Invitation>
export const InviteBody = Type.Object(
  { userId: Id, expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 30, default: 7 })) },
  { additionalProperties: false },
)
export type InviteBody = Static<typeof InviteBody>

export const CustomRole = Type.Object(
  {
    id: Id,
    communityId: Id,
    name: Type.String(),
    rank: Type.Integer(),
    permissions: Type.Array(Enum(COMMUNITY_PERMISSIONS)),
    createdAt: Instant,
  },
  { $id: 'CommunityRole', additionalProperties: false },
)
export type CustomRole = Static<typeof CustomRole>
export const CreateRoleBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 60 }),
    rank: Type.Integer({ minimum: 11, maximum: 29, description: 'Member is 10, moderator 20, admin 30' }),
    permissions: Type.Array(Enum(COMMUNITY_PERMISSIONS), { maxItems: COMMUNITY_PERMISSIONS.length, uniqueItems: true }),
  },
  { additionalProperties: false },
)
export type CreateRoleBody = Static<typeof CreateRoleBody>

export const Channel = Type.Object(
  {
    id: Id,
    communityId: Id,
    name: Type.String(),
    topic: Type.String(),
    kind: Enum(CHANNEL_KINDS),
    access: Enum(CHANNEL_ACCESS_RULES),
    minRole: Nullable(Enum(BASE_ROLES)),
    customRoleId: Nullable(Id),
    createdAt: Instant,
  },
  { $id: 'Channel', additionalProperties: false },
)
export type Channel = Static<typeof Channel>
const ChannelName = Type.String({ minLength: 1, maxLength: 80, pattern: '^[a-z0-9]+(?:[-_][a-z0-9]+)*$' })
export const CreateChannelBody = Type.Object(
  {
    name: ChannelName,
    topic: Type.Optional(Type.String({ maxLength: 500 })),
    kind: Type.Optional(Enum(CHANNEL_KINDS)),
    access: Type.Optional(Enum(CHANNEL_ACCESS_RULES)),
    minRole: Type.Optional(Enum(BASE_ROLES)),
    customRoleId: Type.Optional(Id),
  },
  { additionalProperties: false },
)
export type CreateChannelBody = Static<typeof CreateChannelBody>

export const ChannelAccessAnswer = Type.Object({
  allowed: Type.Boolean(),
  canPost: Type.Boolean(),
  reason: Nullable(
    Type.String({
      description:
        'Why not: not_member, pending, suspended, banned, role_required, course_enrolment_required, community_archived',
    }),
  ),
})

export const COMMUNITY_SCHEMAS = [
  Community,
  Membership,
  Invitation,
  CustomRole,
  Channel,
  Page(Type.Ref('Community'), 'CommunityPage'),
  Page(Type.Ref('Membership'), 'MembershipPage'),
  Page(Type.Ref('CommunityInvitation'), 'CommunityInvitationPage'),
  Page(Type.Ref('CommunityRole'), 'CommunityRolePage'),
  Page(Type.Ref('Channel'), 'ChannelPage'),
]
