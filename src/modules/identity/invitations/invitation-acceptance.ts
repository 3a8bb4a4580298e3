/**
 * Accepting an invitation, once, before it expires. Holding the link proves the mailbox, so the
 * invited address counts as verified. Two ways in:
 * - sign-up: no account has the address yet; a new one is created with the learner role and the
 *   invited roles (the link's holder chooses the password);
 * - sign-in: the account with the invited address accepts while signed in (the JSON route), or in
 *   the very transaction of signing in (the hosted page: `acceptingStarter`), and the invited
 *   roles are added to its membership.
 * Either way the invitation, the account or roles and the audit entries commit together.
 */
import { and, eq } from 'drizzle-orm'
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import { commonErrors } from '../../../platform/errors.ts'
import type { TenantRole } from '../../../platform/http/permissions.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { accountsRepository as accounts } from '../accounts/accounts.repository.ts'
import { hashOneTimeToken } from '../accounts/one-time-tokens.ts'
import type { IdentityEvents } from '../identity-events.ts'
import { users } from '../identity.tables.ts'
import { membersRepository as members } from '../members/members.repository.ts'
import { secondFactorGate } from '../mfa/index.ts'
import { hashPassword } from '../passwords/password-hasher.ts'
import { assertPasswordPolicy } from '../passwords/password-policy.ts'
import { startSignedIn, type SessionStarter } from '../sessions/login.service.ts'
import { sessionsRepository as sessions } from '../sessions/sessions.repository.ts'
import { invitationsErrors as errors } from './invitations.errors.ts'
import { normaliseRoles } from './invitations.policy.ts'
import { invitationsRepository as repository, type InvitationRow } from './invitations.repository.ts'
import type { InvitationAccepted } from './invitations.schemas.ts'

function tenantOf(ctx: RequestContext): string {
  if (!ctx.tenantId) throw commonErrors.tenantRequired()
  return ctx.tenantId
}

/** What the holder of a link may see before accepting (the hosted page shows it). */
export interface InvitationPreview {
  email: string
  roles: TenantRole[]
  accountExists: boolean
  expiresAt: string
}

async function usableOrFail(tx: Tx, token: string, lock = false) {
  const invitation = await repository.findUsable(tx, hashOneTimeToken(token), lock)
  if (!invitation) throw errors.invalid()
  return invitation
}

/**
 * Grants the invited roles not yet held (audited one by one); returns the member's roles and
 * those this acceptance granted.
 */
async function grantInvited(
  tx: Tx,
  ctx: RequestContext,
  invitation: InvitationRow,
  userId: string,
  extra: TenantRole[] = [],
): Promise<{ roles: TenantRole[]; granted: TenantRole[] }> {
  const roles = normaliseRoles([...extra, ...invitation.roles])
  const grantedBy = `invitation:${invitation.id}`
  const granted: TenantRole[] = []
  for (const role of roles) {
    if (!(await members.grant(tx, { tenantId: invitation.tenantId, userId, role, grantedBy }))) continue
    granted.push(role)
    if (!extra.includes(role))
      await recordAudit(tx, ctx, {
        action: 'member.role_granted',
        targetType: 'user',
        targetId: userId,
        details: { role, invitationId: invitation.id },
      })
  }
  return { roles: await sessions.rolesOf(tx, userId), granted }
}

async function markAccepted(tx: Tx, ctx: RequestContext, invitation: InvitationRow, userId: string, method: string) {
  if (!(await repository.markAccepted(tx, invitation.id, userId))) throw errors.invalid()
  await recordAudit(tx, ctx, {
    action: 'invitation.accepted',
    targetType: 'invitation',
    targetId: invitation.id,
    details: { userId, roles: invitation.roles, method },
  })
}

/**
 * Accepts for the signed-in (or signing-in) user `userId` in `tx`: the account must be the one
 * of the invited address, active, and not the inviter's own.
 */
export async function acceptForUser(
  tx: Tx,
  ctx: RequestContext,
  events: IdentityEvents,
  token: string,
  userId: string,
): Promise<InvitationAccepted> {
  const invitation = await usableOrFail(tx, token, true)
  const [user] = await tx
    .select({ email: users.email })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.status, 'active')))
  if (!user || user.email !== invitation.email) throw errors.emailMismatch()
  if (invitation.invitedByType === 'user' && invitation.invitedById === userId) throw errors.selfInvitation()
  const { roles, granted } = await grantInvited(tx, ctx, invitation, userId)
  await events.rolesChanged(tx, ctx, { tenantId: invitation.tenantId, userId, roles, granted })
  await accounts.markEmailVerified(tx, userId)
  await markAccepted(tx, ctx, invitation, userId, 'sign_in')
  return { status: 'accepted', tenantId: invitation.tenantId, userId, email: invitation.email, roles }
}

/**
 * A new account for the invited address, verified, with the learner and invited roles. With
 * `starter` the new member is also signed in (the hosted page starts a browser session).
 */
async function acceptBySignUp<Started extends { sessionId: string }, Credentials>(
  events: IdentityEvents,
  ctx: RequestContext,
  input: { token: string; password: string; displayName?: string | undefined; userAgent?: string | undefined },
  starter?: SessionStarter<Started, Credentials>,
): Promise<{ accepted: InvitationAccepted; credentials: Credentials | undefined }> {
  const tenantId = tenantOf(ctx)
  const peeked = await ctx.inTenant((tx) => usableOrFail(tx, input.token))
  if (peeked.accountExists) throw errors.accountExists()
  assertPasswordPolicy(input.password, { email: peeked.email })
  // Hashed outside the transaction: argon2 must not hold a database connection.
  const passwordHash = await hashPassword(input.password)
  const displayName = input.displayName?.trim() || null
  const outcome = await ctx.inTenant(async (tx) => {
    const invitation = await usableOrFail(tx, input.token, true)
    const email = invitation.email
    const userId = await accounts.insertUserIfAbsent(tx, { tenantId, email, displayName, passwordHash })
    if (!userId) throw errors.accountExists()
    await accounts.markEmailVerified(tx, userId)
    await recordAudit(tx, ctx, {
      action: 'user.registered',
      targetType: 'user',
      targetId: userId,
      details: { role: 'learner', invitationId: invitation.id },
    })
    const { roles } = await grantInvited(tx, ctx, invitation, userId, ['learner'])
    await events.userCreated(tx, ctx, { tenantId, userId, source: 'invitation', roles, invitationId: invitation.id })
    await markAccepted(tx, ctx, invitation, userId, 'sign_up')
    const accepted: InvitationAccepted = { status: 'accepted', tenantId, userId, email, roles }
    if (!starter) return { accepted, started: undefined }
    const restriction = await secondFactorGate.restrictionOf(tx, userId)
    const started = await startSignedIn(
      tx,
      ctx,
      starter,
      { tenantId, userId, userAgent: input.userAgent, restriction },
      { method: 'invitation' },
    )
    return { accepted, started }
  })
  const credentials = starter && outcome.started ? await starter.credentials(outcome.started) : undefined
  return { accepted: outcome.accepted, credentials }
}

export function createInvitationAcceptance(deps: { events: IdentityEvents }) {
  const { events } = deps
  return {
    /** The invitation behind a link, without using it. */
    async preview(ctx: RequestContext, token: string): Promise<InvitationPreview> {
      tenantOf(ctx)
      const invitation = await ctx.inTenant((tx) => usableOrFail(tx, token))
      return {
        email: invitation.email,
        roles: normaliseRoles(invitation.roles),
        accountExists: invitation.accountExists,
        expiresAt: invitation.expiresAt.toISOString(),
      }
    },

    acceptBySignUp: <Started extends { sessionId: string }, Credentials>(
      ctx: RequestContext,
      input: { token: string; password: string; displayName?: string | undefined; userAgent?: string | undefined },
      starter?: SessionStarter<Started, Credentials>,
    ) => acceptBySignUp(events, ctx, input, starter),

    /**
     * Holding the link proves the mailbox, as a verification link would: the invited address's
     * account counts as verified, so an account that never confirmed its address can sign in to
     * accept. Uses nothing; the invitation stays pending.
     */
    async proveAddress(ctx: RequestContext, token: string): Promise<void> {
      tenantOf(ctx)
      await ctx.inTenant(async (tx) => {
        const invitation = await usableOrFail(tx, token)
        const account = await accounts.findUserByEmail(tx, invitation.email)
        if (account && account.status === 'active' && !account.emailVerifiedAt) {
          await accounts.markEmailVerified(tx, account.id)
          await recordAudit(tx, ctx, {
            action: 'user.email_verified',
            targetType: 'user',
            targetId: account.id,
            details: { invitationId: invitation.id },
          })
        }
      })
    },

    /** The signed-in member accepts an invitation to their own address. */
    async acceptSignedIn(ctx: RequestContext, token: string): Promise<InvitationAccepted> {
      const { principal } = ctx
      if (principal.kind !== 'user') throw errors.denied()
      return ctx.inTenant((tx) => acceptForUser(tx, ctx, events, token, principal.userId))
    },

    /**
     * A session starter that accepts the invitation inside the sign-in transaction before the
     * session starts: a wrong account or a used link fails the sign-in and leaves nothing behind.
     */
    acceptingStarter<Started extends { sessionId: string }, Credentials>(
      ctx: RequestContext,
      token: string,
      base: SessionStarter<Started, Credentials>,
    ): SessionStarter<Started, Credentials> {
      return {
        async startSession(tx, input) {
          await acceptForUser(tx, ctx, events, token, input.userId)
          return base.startSession(tx, input)
        },
        credentials: (started) => base.credentials(started),
      }
    },
  }
}

export type InvitationAcceptance = ReturnType<typeof createInvitationAcceptance>
