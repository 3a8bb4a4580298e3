/**
 * Sending and managing invitations. A tenant member who manages members invites into the roles
 * they rank for; a platform operator invites into any role of any tenant (the way a tenant gets
 * its first administrator). Each change, its checks, its audit entry and its mail commit in one
 * transaction in the tenant's scope, so RLS confines every statement to that tenant.
 */
import { eq } from 'drizzle-orm'
import { recordAudit } from '../../../platform/audit/audit.ts'
import { tenantScope, type Database, type Tx } from '../../../platform/db/database.ts'
import type { PageResult } from '../../../platform/http/pagination.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { findTenantSite, type TenantSite, type TenantSiteOptions } from '../../tenancy/index.ts'
import { normaliseEmail } from '../accounts/email-address.ts'
import { newOneTimeToken } from '../accounts/one-time-tokens.ts'
import type { IdentityNotifier } from '../identity-notifier.ts'
import { users } from '../identity.tables.ts'
import { levelOf, OPERATOR_LEVEL, type Actor } from '../members/members.policy.ts'
import { describeRoles } from './invitation-mail.ts'
import { pageLink } from '../pages/page-links.ts'
import { invitationsErrors as errors } from './invitations.errors.ts'
import {
  DAILY_INVITATIONS_PER_INVITER,
  INVITATION_TTL_SECONDS,
  MAX_SENDS,
  assertMayOffer,
  assertNotSelf,
  effectiveStatus,
  normaliseRoles,
  resendWait,
} from './invitations.policy.ts'
import { invitationsCursor, invitationsRepository as repository, type InvitationRow } from './invitations.repository.ts'
import type { Invitation } from './invitations.schemas.ts'

export interface InvitationsDeps {
  database: Database
  /** The notification center: the invitation goes to the address, its link as a sealed secret. */
  notify: IdentityNotifier
  /** How links to the tenant are built (its host on this deployment, or its own web client). */
  site: TenantSiteOptions
}

export function present(row: InvitationRow, now = new Date()): Invitation {
  return {
    id: row.id,
    email: row.email,
    roles: normaliseRoles(row.roles),
    status: effectiveStatus(row, now),
    invitedBy: { type: row.invitedByType, id: row.invitedById },
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    lastSentAt: row.lastSentAt.toISOString(),
    sendCount: row.sendCount,
    acceptedAt: row.acceptedAt?.toISOString() ?? null,
    acceptedBy: row.acceptedBy,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  }
}

/** Who invites, into which tenant, and the transaction they act in. */
interface Inviter {
  actor: Actor
  type: 'user' | 'operator'
  id: string
  tenantId: string
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T>
}

/** The caller's own tenant for members; the tenant in the path for operators (`tenantId`). */
function inviterOf(ctx: RequestContext, database: Database, tenantId: string | undefined): Inviter {
  const { principal } = ctx
  if (tenantId === undefined && principal.kind === 'user') {
    const actor = {
      userId: principal.userId,
      level: levelOf(principal.roles),
      impersonated: principal.actor !== undefined,
    }
    return {
      actor,
      type: 'user',
      id: principal.userId,
      tenantId: principal.tenantId,
      run: (work) => ctx.inTenant(work),
    }
  }
  if (tenantId !== undefined && principal.kind === 'operator') {
    const actor = { userId: null, level: OPERATOR_LEVEL, impersonated: false }
    // The tenant's own scope rather than the cross-tenant role: RLS keeps every statement inside it.
    const run = <T>(work: (tx: Tx) => Promise<T>) =>
      database.transaction(tenantScope(tenantId), work, { counter: ctx.counter })
    return { actor, type: 'operator', id: principal.operatorId, tenantId, run }
  }
  // API keys hold scopes, not a rank to compare roles with; the routes admit nobody else.
  throw errors.denied()
}

/** Reading needs no rank: members:read suffices, API keys included (their tenant, their scope). */
function readerOf(ctx: RequestContext, database: Database, tenantId: string | undefined) {
  const { principal } = ctx
  if (tenantId === undefined && principal.kind === 'api_key')
    return { tenantId: principal.tenantId, run: <T>(work: (tx: Tx) => Promise<T>) => ctx.inTenant(work) }
  return inviterOf(ctx, database, tenantId)
}

async function siteOrFail(tx: Tx, tenantId: string, options: TenantSiteOptions): Promise<TenantSite> {
  const site = await findTenantSite(tx, tenantId, options)
  if (!site) throw errors.tenantNotFound(tenantId)
  return site
}

async function emailOf(tx: Tx, userId: string): Promise<string | null> {
  const [row] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId))
  return row?.email ?? null
}

async function findOrFail(tx: Tx, id: string): Promise<InvitationRow> {
  const row = await repository.findById(tx, id, true)
  if (!row) throw errors.notFound(id)
  return row
}

/**
 * To the address (it may have no account), in the tenant's language. The mail names the tenant
 * and the roles, never the inviter (a display name is whatever its owner typed, which would make
 * the mail a phishing vehicle). Each send is its own occurrence (a resend carries a new link).
 */
async function mailInvitation(notify: IdentityNotifier, tx: Tx, site: TenantSite, row: InvitationRow, token: string) {
  await notify(tx, {
    tenantId: row.tenantId,
    type: 'identity.invitation',
    eventId: `identity.invitation:${row.id}:${row.sendCount}`,
    recipient: { email: row.email },
    params: { roles: describeRoles(normaliseRoles(row.roles)), validDays: INVITATION_TTL_SECONDS / 86400 },
    secrets: { link: pageLink(site, 'invitation', token) },
  })
}

async function create(
  deps: InvitationsDeps,
  ctx: RequestContext,
  input: { tenantId?: string | undefined; email: string; roles: readonly string[] },
): Promise<Invitation> {
  const inviter = inviterOf(ctx, deps.database, input.tenantId)
  const email = normaliseEmail(input.email)
  const roles = normaliseRoles(input.roles)
  assertMayOffer(inviter.actor, roles)
  return inviter.run(async (tx) => {
    const site = await siteOrFail(tx, inviter.tenantId, deps.site)
    if (inviter.type === 'user') assertNotSelf(await emailOf(tx, inviter.id), email)
    if ((await repository.countRecentBy(tx, inviter.id)) >= DAILY_INVITATIONS_PER_INVITER)
      throw errors.quotaReached(DAILY_INVITATIONS_PER_INVITER)
    await repository.expireStale(tx, email)
    const { token, tokenHash } = newOneTimeToken()
    const row = await repository.insert(tx, {
      tenantId: inviter.tenantId,
      email,
      roles,
      tokenHash,
      invitedByType: inviter.type,
      invitedById: inviter.id,
      ttlSeconds: INVITATION_TTL_SECONDS,
    })
    if (!row) throw errors.pending()
    await mailInvitation(deps.notify, tx, site, row, token)
    await recordAudit(tx, ctx, {
      tenantId: inviter.tenantId,
      action: 'invitation.created',
      targetType: 'invitation',
      targetId: row.id,
      details: { roles },
    })
    return present(row)
  })
}

/** Mails a new link (the old one stops working) with a fresh expiry; throttled per invitation. */
async function resend(
  deps: InvitationsDeps,
  ctx: RequestContext,
  input: { tenantId?: string | undefined; id: string },
): Promise<Invitation> {
  const inviter = inviterOf(ctx, deps.database, input.tenantId)
  return inviter.run(async (tx) => {
    const site = await siteOrFail(tx, inviter.tenantId, deps.site)
    const row = await findOrFail(tx, input.id)
    assertMayOffer(inviter.actor, normaliseRoles(row.roles))
    if (row.status !== 'pending') throw errors.notPending(row.status)
    const wait = resendWait(row.lastSentAt, new Date())
    if (wait > 0) throw errors.resendThrottled(wait)
    if (row.sendCount >= MAX_SENDS) throw errors.sendLimitReached(MAX_SENDS)
    const { token, tokenHash } = newOneTimeToken()
    const renewed = await repository.renew(tx, row.id, tokenHash, INVITATION_TTL_SECONDS)
    if (!renewed) throw errors.notPending(row.status)
    await mailInvitation(deps.notify, tx, site, renewed, token)
    await recordAudit(tx, ctx, {
      tenantId: inviter.tenantId,
      action: 'invitation.resent',
      targetType: 'invitation',
      targetId: row.id,
      details: { sendCount: renewed.sendCount },
    })
    return present(renewed)
  })
}

export function createInvitationsService(deps: InvitationsDeps) {
  const { database, site: siteOptions } = deps
  return {
    create: (ctx: RequestContext, input: Parameters<typeof create>[2]) => create(deps, ctx, input),
    resend: (ctx: RequestContext, input: Parameters<typeof resend>[2]) => resend(deps, ctx, input),

    async list(
      ctx: RequestContext,
      query: { tenantId?: string | undefined; limit: number; cursor?: string | undefined },
    ): Promise<PageResult<Invitation>> {
      const reader = readerOf(ctx, database, query.tenantId)
      const after = invitationsCursor.decode(query.cursor)
      const rows = await reader.run(async (tx) => {
        await siteOrFail(tx, reader.tenantId, siteOptions)
        return repository.list(tx, { limit: query.limit, after })
      })
      const page = invitationsCursor.page(rows, query.limit, ({ position: at, row }) => [at, row.id])
      const now = new Date()
      return { data: page.data.map(({ row }) => present(row, now)), nextCursor: page.nextCursor }
    },

    /** Ends a pending (or expired) invitation; its link stops working at once. */
    async revoke(ctx: RequestContext, input: { tenantId?: string | undefined; id: string }): Promise<void> {
      const inviter = inviterOf(ctx, database, input.tenantId)
      await inviter.run(async (tx) => {
        await siteOrFail(tx, inviter.tenantId, siteOptions)
        const row = await findOrFail(tx, input.id)
        assertMayOffer(inviter.actor, normaliseRoles(row.roles))
        if (row.status !== 'pending') throw errors.notPending(row.status)
        await repository.revoke(tx, row.id, `${inviter.type}:${inviter.id}`)
        await recordAudit(tx, ctx, {
          tenantId: inviter.tenantId,
          action: 'invitation.revoked',
          targetType: 'invitation',
          targetId: row.id,
          details: { roles: row.roles, wasExpired: effectiveStatus(row, new Date()) === 'expired' },
        })
      })
    },
  }
}

export type InvitationsService = ReturnType<typeof createInvitationsService>
