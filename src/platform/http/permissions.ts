/**
 * Permissions and the roles that hold them. Routes declare permissions; principals carry roles.
 * The identity module will own role assignment; this table is the platform's vocabulary.
 */
export const TENANT_ROLES = [
  'learner',
  'instructor',
  'moderator',
  'finance',
  'compliance',
  'reviewer',
  'tenant_admin',
] as const
export type TenantRole = (typeof TENANT_ROLES)[number]

export const PERMISSIONS = [
  'tenant:read',
  'tenant:manage',
  'flags:read',
  'flags:manage',
  'audit:read',
  'members:read',
  'members:manage',
  'members:impersonate',
  'instructors:review',
  'api_keys:manage',
  'security:manage',
  'courses:author',
  'courses:review',
  /** Administer every course of the tenant: author, archive and publish directly without a review round. */
  'courses:manage',
  'paths:manage',
  'enrolments:manage',
  'submissions:grade',
  'certificates:manage',
  /** Read the tenant's ledger: accounts, balances, transactions, reconciliation totals. */
  'ledger:read',
  /** Set how sales are split: the platform fee and each course's instructor shares (never one's own). */
  'revenue:manage',
  /** Refund captured orders (never one's own): money goes back to the buyer, access may end. */
  'orders:refund',
  /** Create communities (the creator becomes their owner). */
  'communities:create',
  /**
   * Administer every community of the tenant: act as a community administrator in any of them
   * (moderation, roles, channels, archiving) and grant or revoke membership sources (the paid gate).
   */
  'communities:manage',
  /** Read any member's points log (gamification); one's own needs no permission. */
  'points:read',
  /** Manage the tenant's outgoing webhook endpoints: secrets, delivery log, redelivery, replays (people only). */
  'webhooks:manage',
  /** Upload media and documents to the tenant's asset library (one's own uploads: status, download). */
  'assets:upload',
  /** Administer the tenant's asset library: every asset, storage usage, the quarantine, re-scans. */
  'assets:manage',
  'platform:tenants',
  'platform:jobs',
  'platform:mail',
  'platform:flags',
  'platform:members',
  'platform:impersonate',
  /** Record and list the exchange rates conversions and reports use. */
  'platform:fx_rates',
] as const
export type Permission = (typeof PERMISSIONS)[number]

export const ROLE_PERMISSIONS: Record<TenantRole, readonly Permission[]> = {
  learner: [],
  // Instructors act on the courses they own or co-teach; the policies of each module check that.
  instructor: ['courses:author', 'submissions:grade', 'communities:create', 'assets:upload'],
  moderator: ['points:read'],
  finance: ['ledger:read', 'orders:refund'],
  compliance: ['audit:read', 'tenant:read'],
  // Reviews courses submitted for review (the queue, the drafts in it, approve, request changes), never their own.
  reviewer: ['courses:review'],
  tenant_admin: [
    'tenant:read',
    'tenant:manage',
    'flags:read',
    'flags:manage',
    'audit:read',
    'members:read',
    'members:manage',
    'members:impersonate',
    'instructors:review',
    'api_keys:manage',
    'security:manage',
    'courses:author',
    'courses:review',
    'courses:manage',
    'paths:manage',
    'enrolments:manage',
    'submissions:grade',
    'certificates:manage',
    'ledger:read',
    'revenue:manage',
    'orders:refund',
    'communities:create',
    'communities:manage',
    'points:read',
    'webhooks:manage',
    'assets:upload',
    'assets:manage',
  ],
}

/** Platform operators act across tenants; they hold every platform permission. */
export const OPERATOR_PERMISSIONS: readonly Permission[] = PERMISSIONS

export function permissionsOf(roles: readonly TenantRole[]): Set<Permission> {
  return new Set(roles.flatMap((role) => ROLE_PERMISSIONS[role]))
}
