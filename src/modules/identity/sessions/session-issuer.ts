/**
 * Starting a session and handing out its tokens: the session row, its first refresh token and,
 * once the transaction committed, an access token bound to it (sid).
 */
import { createHash } from 'node:crypto'
import type { Tx } from '../../../platform/db/database.ts'
import type { TenantRole } from '../../../platform/http/permissions.ts'
import { ACCESS_TOKEN_LIFETIME_SECONDS, type AccessTokens } from '../tokens/access-tokens.ts'
import { newRefreshToken } from './refresh-tokens.ts'
import { sessionsRepository as repository } from './sessions.repository.ts'

/** Absolute lifetime of a session, however often it is refreshed. */
export const SESSION_TTL_SECONDS = 30 * 24 * 3600
const USER_AGENT_MAX = 256

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

/** Sessions keep a digest, not the address: enough to tell devices apart, not to locate anyone. */
const hashIp = (ip: string) => createHash('sha256').update(`lyceum-session:${ip}`).digest('hex').slice(0, 32)

export function createSessionIssuer(accessTokens: AccessTokens) {
  return {
    async startSession(tx: Tx, input: { tenantId: string; userId: string; userAgent: string | undefined; ip: string }): Promise<IssuedSession> {
      const { tenantId, userId } = input
      const userAgent = input.userAgent?.slice(0, USER_AGENT_MAX) ?? null
      const sessionId = await repository.createSession(tx, { tenantId, userId, ttlSeconds: SESSION_TTL_SECONDS, userAgent, ipHash: hashIp(input.ip) })
      const refresh = newRefreshToken(tenantId)
      await repository.insertRefreshToken(tx, { tenantId, sessionId, tokenHash: refresh.tokenHash })
      const roles = await repository.rolesOf(tx, userId)
      return { tenantId, userId, sessionId, roles, refreshToken: refresh.token }
    },

    /** Signs the access token; called after commit, since signing may read keys in its own transaction. */
    async tokens(session: IssuedSession): Promise<TokenPair> {
      const accessToken = await accessTokens.issue({ userId: session.userId, tenantId: session.tenantId, roles: session.roles, sessionId: session.sessionId })
      return { accessToken, tokenType: 'Bearer', expiresIn: ACCESS_TOKEN_LIFETIME_SECONDS, refreshToken: session.refreshToken }
    },
  }
}

export type SessionIssuer = ReturnType<typeof createSessionIssuer>
