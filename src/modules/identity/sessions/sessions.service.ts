/**
 * Refresh-token rotation and the signed-in user's own sessions. Each refresh rotates the token;
 * presenting a token that was already rotated means two parties hold the session (a stolen
 * token or a replay), so the whole session is revoked (OAuth 2.0 Security BCP §4.14).
 */
import { recordAudit } from '../../../platform/audit/audit.ts'
import { tenantScope, type Database, type Tx } from '../../../platform/db/database.ts'
import { AppError, commonErrors } from '../../../platform/errors.ts'
import type { PageQuery } from '../../../platform/http/pagination.ts'
import type { Principal, UserProfile } from '../../../platform/http/principal.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { impersonationRepository } from '../impersonation/impersonation.repository.ts'
import { endImpersonationsStartedFrom } from '../impersonation/starter-ends.ts'
import { hashRefreshToken, newRefreshToken, tenantOfRefreshToken } from './refresh-tokens.ts'
import { mfaPolicy } from '../mfa/mfa-policy.ts'
import { canonicalLocale } from '../locale.ts'
import { isTimeZone } from '../time-zone.ts'
import type { IssuedSession, RestrictedSession, RestrictedTokens, SessionIssuer, TokenPair } from './session-issuer.ts'
import { sessionsErrors } from './sessions.errors.ts'
import type { UpdateMeBody } from './sessions.schemas.ts'
import { sessionsCursor, sessionsRepository as repository } from './sessions.repository.ts'

type UserPrincipal = Extract<Principal, { kind: 'user' }>

function userOf(ctx: RequestContext): UserPrincipal {
  if (ctx.principal.kind !== 'user') throw commonErrors.unauthenticated()
  return ctx.principal
}

function sessionOf(ctx: RequestContext): { user: UserPrincipal; sessionId: string } {
  const user = userOf(ctx)
  if (!user.sessionId) throw sessionsErrors.noSession()
  return { user, sessionId: user.sessionId }
}

/** One transaction in the token's tenant; failures that must persist (reuse) commit before the error. */
async function rotate(
  database: Database,
  ctx: RequestContext,
  tenantId: string,
  token: string,
): Promise<IssuedSession | RestrictedSession | 'invalid' | 'reused' | 'idle'> {
  return database.transaction(
    tenantScope(tenantId),
    async (tx) => {
      const found = await repository.findRefreshToken(tx, hashRefreshToken(token))
      if (!found) return 'invalid'
      if (found.rotated) {
        const revoked = await repository.revoke(tx, found.userId, found.sessionId, 'refresh_reuse')
        await endImpersonationsStartedFrom(tx, ctx, { type: 'user', sessionIds: revoked }, 'refresh_reuse')
        await recordAudit(tx, ctx, {
          tenantId,
          action: 'auth.refresh_reuse',
          targetType: 'session',
          targetId: found.sessionId,
          outcome: 'denied',
          details: { userId: found.userId, revoked: revoked.length > 0 },
        })
        return 'reused'
      }
      if (found.idle === true) {
        // Not used for longer than the tenant's idle timeout (session-activity.ts): it ends here.
        const revoked = await repository.revoke(tx, found.userId, found.sessionId, 'idle_timeout')
        await endImpersonationsStartedFrom(tx, ctx, { type: 'user', sessionIds: revoked }, 'idle_timeout')
        await recordAudit(tx, ctx, {
          tenantId,
          action: 'auth.session_idle_timeout',
          targetType: 'session',
          targetId: found.sessionId,
          outcome: 'denied',
          details: { userId: found.userId },
        })
        return 'idle'
      }
      if (!found.usable) return 'invalid'
      await repository.rotate(tx, found.id, found.sessionId)
      const roles = await repository.rolesOf(tx, found.userId)
      // The tenant's MFA policy holds the user back: a restricted token and no successor, so the
      // session cannot be refreshed until they enrol (confirming replaces it with a full one).
      const restriction = await mfaPolicy.restrictionOf(tx, found.userId)
      if (restriction) {
        await recordAudit(tx, ctx, {
          tenantId,
          action: 'auth.refresh_restricted',
          targetType: 'session',
          targetId: found.sessionId,
          details: { userId: found.userId, restriction },
        })
        return { tenantId, userId: found.userId, sessionId: found.sessionId, roles, restriction }
      }
      const next = newRefreshToken(tenantId)
      await repository.insertRefreshToken(tx, { tenantId, sessionId: found.sessionId, tokenHash: next.tokenHash })
      return { tenantId, userId: found.userId, sessionId: found.sessionId, roles, refreshToken: next.token }
    },
    { counter: ctx.counter },
  )
}

function meOf(user: UserPrincipal, profile: UserProfile) {
  return {
    id: user.userId,
    email: profile.email,
    displayName: profile.displayName,
    emailVerified: profile.emailVerified,
    timeZone: profile.timeZone,
    locale: profile.locale,
    tenantId: user.tenantId,
    roles: user.roles,
    sessionId: user.sessionId ?? null,
    mfaEnrolmentRequired: user.restriction !== undefined,
  }
}

/** GET /v1/me from the database: the profile, and an impersonation's expiry. */
async function readMe(tx: Tx, user: UserPrincipal) {
  const impersonationId = user.actor?.impersonationId
  const profile = await repository.profile(tx, user.userId)
  if (!profile) throw commonErrors.unauthenticated('The account of this token no longer exists')
  const me = meOf(user, profile)
  // RFC 8693 act claim: who really acts while this user is impersonated.
  if (user.actor === undefined || impersonationId === undefined) return me
  const expiresAt = await impersonationRepository.expiryOf(tx, impersonationId)
  if (expiresAt === undefined) return me
  return { ...me, actor: { sub: user.actor.sub, impersonationId, expiresAt: expiresAt.toISOString() } }
}

async function revokeOwn(ctx: RequestContext, sessionId: string | undefined, reason: string): Promise<string[]> {
  const user = userOf(ctx)
  return ctx.inTenant(async (tx) => {
    const revoked = await repository.revoke(tx, user.userId, sessionId, reason)
    // Impersonations started from these sessions end with them (cookie logout included).
    await endImpersonationsStartedFrom(tx, ctx, { type: 'user', sessionIds: revoked }, reason)
    for (const id of revoked)
      await recordAudit(tx, ctx, {
        action: 'auth.session_revoked',
        targetType: 'session',
        targetId: id,
        details: { reason },
      })
    return revoked
  })
}

export function createSessionsService(deps: { database: Database; issuer: SessionIssuer }) {
  const { database, issuer } = deps
  return {
    async refresh(ctx: RequestContext, token: string): Promise<TokenPair | RestrictedTokens> {
      const tenantId = tenantOfRefreshToken(token)
      // A host that names a tenant only accepts that tenant's tokens.
      if (!tenantId || (ctx.tenantId !== null && ctx.tenantId !== tenantId)) throw sessionsErrors.invalidRefreshToken()
      const outcome = await rotate(database, ctx, tenantId, token)
      if (outcome === 'reused') throw sessionsErrors.refreshTokenReused()
      if (outcome === 'invalid') throw sessionsErrors.invalidRefreshToken()
      if (outcome === 'idle') throw sessionsErrors.sessionIdle()
      return 'restriction' in outcome ? issuer.restrictedTokens(outcome) : issuer.tokens(outcome)
    },

    /**
     * The signed-in user. A session-bound token's check already read the profile (ADR 0018: from
     * the session cache when warm), so that request sends no statement; anything else reads it,
     * and an impersonation always reads its expiry.
     */
    async me(ctx: RequestContext) {
      const user = userOf(ctx)
      if (user.profile && user.actor === undefined) return meOf(user, user.profile)
      return ctx.inTenant((tx) => readMe(tx, user))
    },

    /**
     * Sets the caller's display name (trimmed; blank after trimming is refused), time zone
     * (an IANA name Intl knows, or null for UTC) and/or locale (a BCP 47 tag, stored canonical; null: the tenant's).
     */
    async updateMe(ctx: RequestContext, body: UpdateMeBody) {
      const user = userOf(ctx)
      const displayName = body.displayName?.trim()
      if (displayName === '')
        throw new AppError('invalid', 'DISPLAY_NAME_BLANK', 'displayName must contain more than white space')
      if (body.timeZone !== undefined && body.timeZone !== null && !isTimeZone(body.timeZone))
        throw new AppError('invalid', 'TIME_ZONE_UNKNOWN', `${body.timeZone} is not an IANA time zone`)
      const locale = body.locale === undefined || body.locale === null ? body.locale : canonicalLocale(body.locale)
      if (locale === undefined && body.locale !== undefined)
        throw new AppError('invalid', 'LOCALE_UNKNOWN', `${body.locale} is not a BCP 47 language tag`)
      const change = {
        ...(displayName === undefined ? {} : { displayName }),
        ...(body.timeZone === undefined ? {} : { timeZone: body.timeZone }),
        ...(body.locale === undefined ? {} : { locale }),
      }
      // Answered from the transaction that wrote it: the principal's profile predates the change.
      return ctx.inTenant(async (tx) => {
        await repository.setProfile(tx, user.userId, change)
        return readMe(tx, user)
      })
    },

    async listSessions(ctx: RequestContext, page: PageQuery) {
      const user = userOf(ctx)
      const after = sessionsCursor.decode(page.cursor)
      const rows = await ctx.inTenant((tx) => repository.listLive(tx, user.userId, page.limit, after))
      const result = sessionsCursor.page(rows, page.limit, (row) => [row.position, row.id])
      return {
        nextCursor: result.nextCursor,
        data: result.data.map((row) => ({
          id: row.id,
          createdAt: row.createdAt.toISOString(),
          lastUsedAt: row.lastUsedAt.toISOString(),
          expiresAt: row.expiresAt.toISOString(),
          userAgent: row.userAgent,
          current: row.id === user.sessionId,
        })),
      }
    },

    /** Revokes one of the caller's own sessions; another user's id is simply not found. */
    async revokeSession(ctx: RequestContext, sessionId: string): Promise<void> {
      const revoked = await revokeOwn(ctx, sessionId, 'user_revoked')
      if (revoked.length === 0)
        throw new AppError('not_found', 'SESSION_NOT_FOUND', `No live session ${sessionId} of yours exists`)
    },

    async logout(ctx: RequestContext): Promise<void> {
      await revokeOwn(ctx, sessionOf(ctx).sessionId, 'logout')
    },

    async logoutAll(ctx: RequestContext): Promise<number> {
      return (await revokeOwn(ctx, undefined, 'logout_all')).length
    },
  }
}

export type SessionsService = ReturnType<typeof createSessionsService>
