/**
 * Sign-in for browsers: the same password step (throttling, lockout, one answer for every bad
 * credential) and second step as bearer sign-in (login.service.ts, ../mfa), ending in a session
 * cookie and a CSRF token instead of tokens. The cookie session has no refresh token: the cookie
 * itself is the credential, checked against the database on every request.
 */
import { commonErrors } from '../../../platform/errors.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import type { TenantRole } from '../../../platform/http/permissions.ts'
import { newBrowserSessionSecrets } from './browser-session-secrets.ts'
import { browserSessionsErrors } from './browser-sessions.errors.ts'
import { browserSessionsRepository } from './browser-sessions.repository.ts'
import type { LoginInput, LoginService, MfaChallenge, SessionStarter } from './login.service.ts'
import { hashSessionIp, SESSION_TTL_SECONDS, USER_AGENT_MAX } from './session-issuer.ts'
import { sessionsRepository } from './sessions.repository.ts'
import type { SessionsService } from './sessions.service.ts'

export interface BrowserSession {
  /** The cookie value; goes only into Set-Cookie, never into a body or a log. */
  cookie: string
  maxAgeSeconds: number
  csrfToken: string
  session: { id: string; tenantId: string; userId: string; roles: TenantRole[]; expiresAt: string }
  /** The tenant's MFA policy holds the user back until they enrol a factor (only the enrolment routes answer). */
  mfaEnrolmentRequired: boolean
}

/** The second sign-in step of ../mfa, given a starter (mfa.service.ts completeLoginWith). */
export type CompleteSecondStep = <Started extends { sessionId: string }, Credentials>(
  ctx: RequestContext,
  input: {
    mfaToken: string
    code?: string | undefined
    recoveryCode?: string | undefined
    userAgent: string | undefined
  },
  starter: SessionStarter<Started, Credentials>,
) => Promise<Credentials>

/** Starts the session row and its browser row in the sign-in transaction; nothing to sign afterwards. */
export const browserStarter: SessionStarter<BrowserSession & { sessionId: string }, BrowserSession> = {
  async startSession(tx, input) {
    const { tenantId, userId } = input
    const userAgent = input.userAgent?.slice(0, USER_AGENT_MAX) ?? null
    const sessionId = await sessionsRepository.createSession(tx, {
      tenantId,
      userId,
      ttlSeconds: SESSION_TTL_SECONDS,
      userAgent,
      ipHash: hashSessionIp(input.ip),
    })
    const secrets = newBrowserSessionSecrets(tenantId)
    const expiresAt = await browserSessionsRepository.attach(tx, {
      sessionId,
      tenantId,
      cookieHash: secrets.cookieHash,
      csrfHash: secrets.csrfHash,
    })
    const roles = await sessionsRepository.rolesOf(tx, userId)
    return {
      sessionId,
      cookie: secrets.cookie,
      maxAgeSeconds: SESSION_TTL_SECONDS,
      csrfToken: secrets.csrfToken,
      session: { id: sessionId, tenantId, userId, roles, expiresAt: expiresAt.toISOString() },
      // The cookie verifier applies the tenant's MFA policy on every request; this only tells the client.
      mfaEnrolmentRequired: input.restriction !== undefined,
    }
  },
  async credentials({ sessionId: _sessionId, ...session }) {
    return session
  },
}

export function createBrowserSessionsService(deps: {
  login: LoginService
  completeSecondStep: CompleteSecondStep
  sessions: SessionsService
}) {
  return {
    signIn: (ctx: RequestContext, input: LoginInput): Promise<BrowserSession | MfaChallenge> =>
      deps.login.signIn(ctx, input, browserStarter),

    completeSecondStep: (ctx: RequestContext, input: Parameters<CompleteSecondStep>[1]): Promise<BrowserSession> =>
      deps.completeSecondStep(ctx, input, browserStarter),

    /** Ends the browser session of this request's cookie (the same revocation as bearer logout). */
    async logout(ctx: RequestContext): Promise<void> {
      if (ctx.principal.kind !== 'user') throw commonErrors.unauthenticated()
      if (ctx.principal.viaCookie !== true) throw browserSessionsErrors.cookieRequired()
      await deps.sessions.logout(ctx)
    },
  }
}

export type BrowserSessionsService = ReturnType<typeof createBrowserSessionsService>
