/**
 * Impersonation: a tenant administrator (within their tenant) or a platform operator (any tenant)
 * acts as a member for at most an hour, with a written reason. Each start, token renewal and end
 * is audited with the reason; tokens carry an RFC 8693 act claim and the impersonation id, last at
 * most 15 minutes and never outlive the impersonation, and are checked against its row on every
 * request (sessions/session-verifier.ts).
 */
import { decodeJwt } from 'jose'
import { recordAudit } from '../../../platform/audit/audit.ts'
import { tenantScope, type Database, type Tx } from '../../../platform/db/database.ts'
import { AppError } from '../../../platform/errors.ts'
import type { PageResult } from '../../../platform/http/pagination.ts'
import type { TenantRole } from '../../../platform/http/permissions.ts'
import { principalId } from '../../../platform/http/principal.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import type { AccessTokens } from '../tokens/access-tokens.ts'
import { impersonationErrors } from './impersonation.errors.ts'
import { actorSubject, assertMayImpersonate, assertMayStart, type Impersonator } from './impersonation.policy.ts'
import {
  impersonationRepository as repository,
  impersonationsCursor,
  type ImpersonationRecord,
} from './impersonation.repository.ts'

export interface Impersonation {
  id: string
  userId: string
  actor: string
  startedFromSession: string | null
  reason: string
  startedAt: string
  expiresAt: string
  endedAt: string | null
  active: boolean
}

export interface ImpersonationToken {
  impersonation: Impersonation
  accessToken: string
  tokenType: 'Bearer'
  expiresIn: number
}

const present = (row: ImpersonationRecord): Impersonation => ({
  id: row.id,
  userId: row.userId,
  actor: actorSubject(row),
  startedFromSession: row.starterSessionId,
  reason: row.reason,
  startedAt: row.startedAt.toISOString(),
  expiresAt: row.expiresAt.toISOString(),
  endedAt: row.endedAt?.toISOString() ?? null,
  active: row.live,
})

/** Who acts, in which tenant: the caller's own (`tenantId` undefined) or, for operators, the named one. */
interface Acting {
  impersonator: Impersonator
  tenantId: string
  /** The session the caller acts from (an identity.sessions or identity.operator_sessions id). */
  sessionId: string | undefined
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T>
}

function actingOf(ctx: RequestContext, database: Database, tenantId: string | undefined): Acting {
  const { principal } = ctx
  if (tenantId === undefined && principal.kind === 'user') {
    const impersonator: Impersonator = {
      type: 'user',
      userId: principal.userId,
      roles: principal.roles,
      impersonating: principal.actor !== undefined,
    }
    return {
      impersonator,
      tenantId: principal.tenantId,
      sessionId: principal.sessionId,
      run: (work) => ctx.inTenant(work),
    }
  }
  // Operators work in the tenant's own scope, so RLS keeps every statement inside that tenant.
  if (tenantId !== undefined && principal.kind === 'operator') {
    const impersonator: Impersonator = { type: 'operator', operatorId: principal.operatorId }
    return {
      impersonator,
      tenantId,
      sessionId: principal.sessionId,
      run: (work) => database.transaction(tenantScope(tenantId), work, { counter: ctx.counter }),
    }
  }
  // The routes' access declarations admit only these two (API keys never impersonate).
  throw new AppError(
    'forbidden',
    'IMPERSONATION_DENIED',
    'Impersonation is for tenant administrators and platform operators',
  )
}

/**
 * Where a list of impersonations is read: the caller's own tenant for whoever the route admits
 * (audit:read: members and API keys alike, since reading the record is not impersonating), or
 * the tenant an operator names.
 */
function listingScope(ctx: RequestContext, database: Database, tenantId: string | undefined): Acting['run'] {
  if (tenantId === undefined && ctx.principal.kind === 'api_key') return (work) => ctx.inTenant(work)
  return actingOf(ctx, database, tenantId).run
}

async function findOrFail(tx: Tx, id: string): Promise<ImpersonationRecord> {
  const row = await repository.find(tx, id)
  if (!row) throw impersonationErrors.notFound(id)
  return row
}

async function targetRoles(tx: Tx, impersonator: Impersonator, userId: string): Promise<TenantRole[]> {
  const target = await repository.target(tx, userId)
  if (!target) throw impersonationErrors.userNotFound(userId)
  assertMayImpersonate(impersonator, target)
  return target.roles
}

function requireReason(reason: string): string {
  const trimmed = reason.trim()
  if (trimmed.length < 10)
    throw new AppError('invalid', 'VALIDATION_FAILED', 'The reason must say why, in at least 10 characters', {
      errors: [{ path: 'body.reason', message: 'must have at least 10 characters besides spaces', code: 'minLength' }],
    })
  return trimmed
}

/** An access token as the member, naming the impersonator (act) and the impersonation (imp), capped at its end. */
async function tokenFor(
  accessTokens: AccessTokens,
  tenantId: string,
  row: ImpersonationRecord,
  roles: TenantRole[],
): Promise<ImpersonationToken> {
  const accessToken = await accessTokens.issue({
    userId: row.userId,
    tenantId,
    roles,
    actor: { sub: actorSubject(row) },
    impersonationId: row.id,
    notAfter: row.expiresAt,
  })
  const expiresIn = Math.max(0, (decodeJwt(accessToken).exp ?? 0) - Math.floor(Date.now() / 1000))
  return { impersonation: present(row), accessToken, tokenType: 'Bearer', expiresIn }
}

export function createImpersonationService(deps: { database: Database; accessTokens: AccessTokens }) {
  const { database, accessTokens } = deps

  return {
    async start(
      ctx: RequestContext,
      request: { tenantId?: string; userId: string; reason: string; minutes: number },
    ): Promise<ImpersonationToken> {
      const { impersonator, tenantId, sessionId, run } = actingOf(ctx, database, request.tenantId)
      const { userId, minutes } = request
      assertMayStart(impersonator, userId)
      // The impersonation lives only as long as the session it is started from (checked on every request).
      if (sessionId === undefined) throw impersonationErrors.sessionRequired()
      const reason = requireReason(request.reason)
      const [actorType, ...rest] = principalId(ctx.principal).split(':') as ['operator' | 'user', ...string[]]
      const { row, roles } = await run(async (tx) => {
        const roles = await targetRoles(tx, impersonator, userId)
        const row = await repository.start(tx, {
          tenantId,
          userId,
          actorType,
          actorId: rest.join(':'),
          starterSessionId: sessionId,
          reason,
          minutes,
        })
        await recordAudit(tx, ctx, {
          tenantId,
          action: 'impersonation.started',
          targetType: 'user',
          targetId: userId,
          details: {
            impersonationId: row.id,
            reason,
            minutes,
            expiresAt: row.expiresAt.toISOString(),
            startedFromSession: sessionId,
          },
        })
        return { row, roles }
      })
      return tokenFor(accessTokens, tenantId, row, roles)
    },

    /** A fresh token for the one who started it, while the impersonation is live and still allowed. */
    async renew(
      ctx: RequestContext,
      request: { tenantId?: string; impersonationId: string },
    ): Promise<ImpersonationToken> {
      const { impersonator, tenantId, sessionId, run } = actingOf(ctx, database, request.tenantId)
      if (impersonator.type === 'user' && impersonator.impersonating) throw impersonationErrors.nested()
      const { row, roles } = await run(async (tx) => {
        const row = await findOrFail(tx, request.impersonationId)
        // Only from the session it was started from: it dies with that session, so does its renewal.
        if (actorSubject(row) !== principalId(ctx.principal) || row.starterSessionId !== sessionId)
          throw impersonationErrors.notYours()
        if (!row.live) throw impersonationErrors.notActive()
        const roles = await targetRoles(tx, impersonator, row.userId)
        await recordAudit(tx, ctx, {
          tenantId,
          action: 'impersonation.token_issued',
          targetType: 'user',
          targetId: row.userId,
          details: { impersonationId: row.id, reason: row.reason },
        })
        return { row, roles }
      })
      return tokenFor(accessTokens, tenantId, row, roles)
    },

    /** Ends it for good: its tokens fail on their next request. The impersonator, any administrator of the tenant or an operator may. */
    async end(ctx: RequestContext, request: { tenantId?: string; impersonationId: string }): Promise<Impersonation> {
      const { tenantId, run } = actingOf(ctx, database, request.tenantId)
      return run(async (tx) => {
        const row = await findOrFail(tx, request.impersonationId)
        const ended = row.live ? await repository.end(tx, row.id) : undefined
        if (!ended) throw impersonationErrors.notActive()
        await recordAudit(tx, ctx, {
          tenantId,
          action: 'impersonation.ended',
          targetType: 'user',
          targetId: row.userId,
          details: { impersonationId: row.id, impersonator: actorSubject(row), reason: row.reason },
        })
        return present(ended)
      })
    },

    async list(
      ctx: RequestContext,
      query: {
        tenantId?: string
        limit: number
        cursor?: string | undefined
        userId?: string | undefined
        active?: boolean | undefined
      },
    ): Promise<PageResult<Impersonation>> {
      const run = listingScope(ctx, database, query.tenantId)
      const after = impersonationsCursor.decode(query.cursor)
      const rows = await run((tx) =>
        repository.list(tx, { limit: query.limit, userId: query.userId, active: query.active, after }),
      )
      const page = impersonationsCursor.page(rows, query.limit, (row) => [row.position, row.id])
      return { data: page.data.map(present), nextCursor: page.nextCursor }
    },
  }
}

export type ImpersonationService = ReturnType<typeof createImpersonationService>
