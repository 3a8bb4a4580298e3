/**
 * Starting a session and handing out its tokens: the session row, its first refresh token and,
 * once the transaction committed, an access token bound to it (sid).
 */
import { hashIp } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import type { TenantRole } from '../../../platform/http/permissions.ts'
import { ACCESS_TOKEN_LIFETIME_SECONDS, type AccessTokens } from '../tokens/access-tokens.ts'
import type { Restriction } from '../mfa/mfa-policy.ts'
import { newRefreshToken } from './refresh-tokens.ts'
import { sessionsRepository as repository } from './sessions.repository.ts'

/** Absolute lifetime of a session, however often it is refreshed. */
export const SESSION_TTL_SECONDS = 30 * 24 * 3600
export const USER_AGENT_MAX = 256

export interface IssuedSession {
  tenantId: string
  userId: string
  sessionId: string
  roles: TenantRole[]
  refreshToken: string
}

export interface TokenPair {
  accessToken: string
  tokenType: 'Bearer'
  expiresIn: number
  refreshToken: string
}

/**
 * A session of a user the tenant's MFA policy holds back (../mfa/mfa-policy.ts): it has no
 * refresh token, and its access tokens carry `rst` so they only reach the enrolment routes.
 * Confirming TOTP replaces it with a full session (mfa.service.ts confirm).
 */
export interface RestrictedSession {
  tenantId: string
  userId: string
  sessionId: string
  roles: TenantRole[]
  restriction: Restriction
}

export interface RestrictedTokens {
  accessToken: string
  tokenType: 'Bearer'
  expiresIn: number
  mfaEnrolmentRequired: true
}

export type SessionInput = { tenantId: string; userId: string; userAgent: string | undefined; ip: string }

/** Sessions record the same keyed IP pseudonym (IP_HASH_SECRET) as audit entries and security log lines. */
export const hashSessionIp = (ip: string) => hashIp(ip)

export function createSessionIssuer(accessTokens: AccessTokens) {
  return {
    async startSession(
      tx: Tx,
      input: { tenantId: string; userId: string; userAgent: string | undefined; ip: string },
    ): Promise<IssuedSession> {
      const { tenantId, userId } = input
      const userAgent = input.userAgent?.slice(0, USER_AGENT_MAX) ?? null
      const sessionId = await repository.createSession(tx, {
        tenantId,
        userId,
        ttlSeconds: SESSION_TTL_SECONDS,
        userAgent,
        ipHash: hashSessionIp(input.ip),
      })
      const refresh = newRefreshToken(tenantId)
      await repository.insertRefreshToken(tx, { tenantId, sessionId, tokenHash: refresh.tokenHash })
      const roles = await repository.rolesOf(tx, userId)
      return { tenantId, userId, sessionId, roles, refreshToken: refresh.token }
    },

    /** A session without refresh token whose access tokens carry the restriction. */
    async startRestrictedSession(
      tx: Tx,
      input: SessionInput & { restriction: Restriction },
    ): Promise<RestrictedSession> {
      const { tenantId, userId } = input
      const userAgent = input.userAgent?.slice(0, USER_AGENT_MAX) ?? null
      const sessionId = await repository.createSession(tx, {
        tenantId,
        userId,
        ttlSeconds: SESSION_TTL_SECONDS,
        userAgent,
        ipHash: hashSessionIp(input.ip),
      })
      const roles = await repository.rolesOf(tx, userId)
      return { tenantId, userId, sessionId, roles, restriction: input.restriction }
    },

    /** The restricted access token of a restricted session; after commit, like tokens(). */
    async restrictedTokens(session: RestrictedSession): Promise<RestrictedTokens> {
      const accessToken = await accessTokens.issue({
        userId: session.userId,
        tenantId: session.tenantId,
        roles: session.roles,
        sessionId: session.sessionId,
        restriction: session.restriction,
      })
      return { accessToken, tokenType: 'Bearer', expiresIn: ACCESS_TOKEN_LIFETIME_SECONDS, mfaEnrolmentRequired: true }
    },

    /** Signs the access token; called after commit, since signing may read keys in its own transaction. */
    async tokens(session: IssuedSession): Promise<TokenPair> {
      const accessToken = await accessTokens.issue({
        userId: session.userId,
        tenantId: session.tenantId,
        roles: session.roles,
        sessionId: session.sessionId,
      })
      return {
        accessToken,
        tokenType: 'Bearer',
        expiresIn: ACCESS_TOKEN_LIFETIME_SECONDS,
        refreshToken: session.refreshToken,
      }
    },
  }
}

export type SessionIssuer = ReturnType<typeof createSessionIssuer>
