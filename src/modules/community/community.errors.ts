/** The community module's error codes (stable: clients act on them). */
import { AppError } from '../../platform/errors.ts'
import type { CommunityPermission } from './community.vocabulary.ts'

export const communityErrors = {
  communityNotFound: (id: string) =>
    new AppError('not_found', 'COMMUNITY_NOT_FOUND', `No community ${id} in this tenant`),
  slugTaken: (slug: string) =>
    new AppError('conflict', 'COMMUNITY_SLUG_TAKEN', `Another community of this tenant already uses the slug ${slug}`),
  archived: (id: string) =>
    new AppError('conflict', 'COMMUNITY_ARCHIVED', `Community ${id} is archived: it takes no members and no changes`),
  courseNotFound: (courseId: string) =>
    new AppError('not_found', 'COURSE_NOT_FOUND', `No course ${courseId} in this tenant`),
  courseLinkForbidden: (courseId: string) =>
    new AppError(
      'forbidden',
      'COURSE_LINK_FORBIDDEN',
      `Only the staff of course ${courseId} (or a holder of courses:manage) may link a community to it: its learners become members`,
    ),
  paidCourseLink: () =>
    new AppError(
      'conflict',
      'PAID_COMMUNITY_COURSE_LINK',
      'A paid community admits through grants only, so it cannot be linked to a course (unlink the course first)',
    ),
  personRequired: () =>
    new AppError('forbidden', 'USER_PRINCIPAL_REQUIRED', 'Only a signed-in person can do this (not an API key)'),
  userNotFound: (userId: string) =>
    new AppError('not_found', 'USER_NOT_FOUND', `No active user ${userId} in this tenant`),
  notMember: (userId: string) =>
    new AppError('not_found', 'MEMBER_NOT_FOUND', `User ${userId} is not a member of this community`),
  forbidden: (permission: CommunityPermission) =>
    new AppError(
      'forbidden',
      'COMMUNITY_PERMISSION_REQUIRED',
      `This needs the community permission ${permission} (held by your community role, or the tenant's communities:manage)`,
      { extensions: { permission } },
    ),
  rank: () =>
    new AppError(
      'forbidden',
      'COMMUNITY_RANK_TOO_LOW',
      'Nobody acts on a member of equal or higher rank (yourself included); the owner is acted on by nobody',
    ),
  banned: () =>
    new AppError(
      'forbidden',
      'COMMUNITY_MEMBER_BANNED',
      'This user is banned from the community: joining, invitations, approvals, course links and grants are refused until a moderator lifts the ban',
    ),
  paidGrantRequired: () =>
    new AppError(
      'forbidden',
      'COMMUNITY_GRANT_REQUIRED',
      'This is a paid community: membership comes with a subscription (a grant), never by joining',
    ),
  approvalRequired: () =>
    new AppError(
      'forbidden',
      'COMMUNITY_APPROVAL_REQUIRED',
      'This is a private community: send a join request and wait for a moderator, or accept an invitation',
    ),
  alreadyMember: () => new AppError('conflict', 'ALREADY_MEMBER', 'This user is already a member of the community'),
  requestNotFound: (userId: string) =>
    new AppError('not_found', 'JOIN_REQUEST_NOT_FOUND', `No pending join request of user ${userId}`),
  selfApproval: () =>
    new AppError(
      'forbidden',
      'SELF_APPROVAL_FORBIDDEN',
      'Nobody approves their own join request, grants themself a source or changes their own standing',
    ),
  ownerCannotLeave: () =>
    new AppError(
      'conflict',
      'OWNER_CANNOT_LEAVE',
      'The owner cannot leave or be removed: transfer ownership to another member first',
    ),
  ownerRoleByTransfer: () =>
    new AppError('invalid', 'OWNER_BY_TRANSFER_ONLY', 'Ownership changes hands only by an explicit transfer'),
  ownerOnly: () => new AppError('forbidden', 'COMMUNITY_OWNER_ONLY', 'Only the owner of the community can do this'),
  transferTarget: () =>
    new AppError('conflict', 'TRANSFER_TARGET_NOT_ACTIVE', 'Ownership goes to an active member of the community only'),
  notBanned: () => new AppError('conflict', 'MEMBER_NOT_BANNED', 'This member is not banned'),
  notSuspended: () => new AppError('conflict', 'MEMBER_NOT_SUSPENDED', 'This member is not suspended'),
  notActive: () =>
    new AppError('conflict', 'MEMBER_NOT_ACTIVE', 'Only an active member can be suspended or given a role'),
  invalidSuspension: () =>
    new AppError('invalid', 'INVALID_SUSPENSION_END', 'A suspension ends in the future, within a year', {
      errors: [{ path: 'body.until', message: 'must be in the future, within 366 days', code: 'range' }],
    }),
  invitationNotFound: (id: string) =>
    new AppError('not_found', 'INVITATION_NOT_FOUND', `No invitation ${id} for you in this community`),
  invitationUsed: () => new AppError('conflict', 'INVITATION_USED', 'This invitation was already accepted'),
  invitationExpired: () =>
    new AppError('conflict', 'INVITATION_EXPIRED', 'This invitation expired or was revoked; ask for a new one'),
  grantRevoked: (sourceRef: string) =>
    new AppError(
      'conflict',
      'GRANT_REVOKED',
      `The grant ${sourceRef} was revoked and never admits again; a new subscription period grants under a new reference`,
    ),
  roleNotFound: (id: string) =>
    new AppError('not_found', 'COMMUNITY_ROLE_NOT_FOUND', `No role ${id} in this community`),
  roleNameTaken: (name: string) =>
    new AppError('conflict', 'COMMUNITY_ROLE_NAME_TAKEN', `This community already has a role named ${name}`),
  roleBeyondActor: (reason: 'rank' | 'permission') =>
    new AppError(
      'forbidden',
      'COMMUNITY_ROLE_BEYOND_YOURS',
      reason === 'rank'
        ? 'A custom role ranks below your own rank'
        : 'A custom role holds only permissions you hold yourself, never community:manage or roles:manage',
      { extensions: { reason } },
    ),
  roleInUse: () =>
    new AppError('conflict', 'COMMUNITY_ROLE_IN_USE', 'A channel admits by this role; change the channel first'),
  channelNotFound: (id: string) => new AppError('not_found', 'CHANNEL_NOT_FOUND', `No channel ${id} in this community`),
  channelNameTaken: (name: string) =>
    new AppError('conflict', 'CHANNEL_NAME_TAKEN', `This community already has a channel named ${name}`),
  channelRule: (detail: string) => new AppError('invalid', 'INVALID_CHANNEL_ACCESS', detail),
  courseChannelUnlinked: () =>
    new AppError(
      'conflict',
      'COMMUNITY_NOT_LINKED',
      'A course channel needs the community to be linked to a course first',
    ),
}
