/** Sign-in, refresh-token rotation, session checks on every request and self-service sessions (composed by ../index.ts). */
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { SessionCache } from '../../../platform/cache/session-cache.ts'
import type { Database } from '../../../platform/db/database.ts'
import type { SecurityNotices } from '../accounts/security-notices.ts'
import type { AccessTokens } from '../tokens/access-tokens.ts'
import { createBrowserSessionVerifier } from './browser-session-verifier.ts'
import { browserSessionsRoutes } from './browser-sessions.routes.ts'
import { createBrowserSessionsService, type CompleteSecondStep } from './browser-sessions.service.ts'
import { createLoginIpThrottle } from './login-ip-throttle.ts'
import { createLoginService, type SecondFactorGate } from './login.service.ts'
import { createReauthentication } from './reauthentication.ts'
import { createSessionIssuer } from './session-issuer.ts'
import { createSessionCheckingVerifier, type CheckedSession } from './session-verifier.ts'
import { sessionsRoutes } from './sessions.routes.ts'
import { createSessionsService } from './sessions.service.ts'

export interface SessionsDeps {
  database: Database
  accessTokens: AccessTokens
  secondFactor: SecondFactorGate
  logger: Logger
  /** Shared store for the per-IP sign-in counters; without it they live in this process. */
  redis: Redis | undefined
  /** Mails the user about lockouts and other changes to how the account is protected. */
  notices: SecurityNotices
  /** Live sessions' checks, served for a few seconds (ADR 0018); without it every request asks the database. */
  sessionCache?: SessionCache<CheckedSession> | undefined
}

export function createSessions(deps: SessionsDeps) {
  const issuer = createSessionIssuer(deps.accessTokens)
  const service = createSessionsService({ database: deps.database, issuer })
  const ipThrottle = createLoginIpThrottle(deps.redis)
  const login = createLoginService({
    issuer,
    secondFactor: deps.secondFactor,
    ipThrottle,
    logger: deps.logger,
    notices: deps.notices,
  })
  return {
    /** Starts sessions and hands out tokens (also used by the second sign-in step). */
    issuer,
    /** Password sign-in ending in any kind of session (the hosted pages accept invitations with it). */
    signIn: login.signIn,
    /** The current password (or a sign-in within minutes) before a change to how the account is protected. */
    reauthenticate: createReauthentication({ ipThrottle, logger: deps.logger, notices: deps.notices }),
    routes: sessionsRoutes(login, service),
    /** Cookie sessions for browsers, on the same sign-in and sessions; the second step comes from ../mfa. */
    browser: (completeSecondStep: CompleteSecondStep) => ({
      routes: browserSessionsRoutes(createBrowserSessionsService({ login, completeSecondStep, sessions: service })),
      verifier: createBrowserSessionVerifier({ database: deps.database }),
    }),
    /** Verifies access tokens and, for session-bound ones, the session, user and current roles. */
    verifier: createSessionCheckingVerifier({
      accessTokens: deps.accessTokens,
      database: deps.database,
      sessionCache: deps.sessionCache,
    }),
  }
}

export type Sessions = ReturnType<typeof createSessions>
