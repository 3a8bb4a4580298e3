/**
 * Operator sign-in: email, password and a TOTP code in one step (operators always have a second
 * factor), on an 8-hour session without refresh tokens: when it ends, the operator signs in again.
 *
 * Every failure (unknown email, wrong password, wrong or replayed code, disabled or locked
 * operator) answers the same 401 after one argon2 verification, so neither body nor timing tells
 * them apart. Wrong passwords and codes count against the operator: from the 5th consecutive
 * failure it is locked for a minute, doubling up to an hour, and at 100 until `lyceum operators
 * unlock` (NIST SP 800-63B §5.2.2). A lock is not announced (a 429 would confirm that the address
 * is an operator's); it is audited and logged. Failures are also counted per client IP with the
 * tenant sign-in's throttle, under its own key.
 *
 * Failures are recorded in their own committed transaction before the error is thrown, so a
 * rollback cannot erase an attempt or its audit entry.
 */
import type { Logger } from 'pino'
import { hashIp, recordAudit } from '../../../platform/audit/audit.ts'
import { platformScope, type Database, type Tx } from '../../../platform/db/database.ts'
import { commonErrors } from '../../../platform/errors.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { normaliseEmail } from '../accounts/email-address.ts'
import { decryptTotpSecret, matchingStep } from '../mfa/totp-secrets.ts'
import { verifyDummyPassword, verifyPassword } from '../passwords/password-hasher.ts'
import type { LoginIpThrottle } from '../sessions/login-ip-throttle.ts'
import { sessionsErrors } from '../sessions/sessions.errors.ts'
import { endImpersonationsStartedFrom } from '../impersonation/starter-ends.ts'
import { ACCESS_TOKEN_LIFETIME_SECONDS, type AccessTokens } from '../tokens/access-tokens.ts'
import { operatorTotpBinding } from './operator-accounts.ts'
import { createOperatorLoginFailures, THROTTLE_SCOPE } from './operator-login-failures.ts'
import { operatorsErrors } from './operators.errors.ts'
import { operatorsRepository as repository, type OperatorCandidate } from './operators.repository.ts'

/** Absolute lifetime of an operator session; there is no refresh. */
export const OPERATOR_SESSION_TTL_SECONDS = 8 * 3600

export interface OperatorLoginInput {
  email: string
  password: string
  code: string
}

export interface OperatorSessionTokens {
  accessToken: string
  tokenType: 'Bearer'
  expiresIn: number
  session: { id: string; expiresAt: string }
}

export interface OperatorsServiceDeps {
  database: Database
  accessTokens: AccessTokens
  keyEncryptionKey: Uint8Array
  ipThrottle: LoginIpThrottle
  logger: Logger
}

function operatorOf(ctx: RequestContext): { operatorId: string; sessionId: string } {
  const { principal } = ctx
  if (principal.kind !== 'operator' || principal.sessionId === undefined) throw commonErrors.unauthenticated()
  return { operatorId: principal.operatorId, sessionId: principal.sessionId }
}

export function createOperatorsService(deps: OperatorsServiceDeps) {
  const { database, ipThrottle, logger } = deps
  // Sign-in has no operator principal yet, so it cannot use ctx.inPlatform; like the verifiers it
  // opens the platform scope itself, for these two tables only.
  const inPlatform = <T>(ctx: RequestContext, work: (tx: Tx) => Promise<T>) =>
    database.transaction(platformScope, work, { counter: ctx.counter })

  const { log, refuse } = createOperatorLoginFailures({ ipThrottle, logger, inPlatform })

  /** The TOTP step the code matches for this operator (never at or before the last accepted one). */
  async function codeStep(operator: OperatorCandidate, code: string): Promise<number | undefined> {
    const secret = await decryptTotpSecret(
      operator.totpSecretEncrypted,
      operatorTotpBinding(operator.id),
      deps.keyEncryptionKey,
    )
    return matchingStep(secret, code, operator.totpLastUsedStep)
  }

  return {
    async login(ctx: RequestContext, input: OperatorLoginInput): Promise<OperatorSessionTokens> {
      const retryAfter = await ipThrottle.heldBackSeconds(THROTTLE_SCOPE, ctx.ip)
      if (retryAfter > 0) {
        log(ctx, 'operator.login_throttled', { retryAfter })
        throw sessionsErrors.loginThrottled(retryAfter)
      }
      const operator = await inPlatform(ctx, (tx) => repository.findByEmail(tx, normaliseEmail(input.email)))
      if (!operator || operator.status !== 'active' || operator.locked) {
        await verifyDummyPassword(input.password)
        return refuse(ctx, !operator ? 'unknown_email' : operator.status !== 'active' ? 'disabled' : 'locked', operator)
      }
      if (!(await verifyPassword(operator.passwordHash, input.password))) return refuse(ctx, 'wrong_password', operator)
      const step = await codeStep(operator, input.code)
      if (step === undefined) return refuse(ctx, 'wrong_code', operator)
      const session = await inPlatform(ctx, async (tx) => {
        // Also refuses the code when a concurrent sign-in used the same step first.
        if (!(await repository.recordSuccess(tx, operator.id, step))) return undefined
        const started = await repository.createSession(tx, {
          operatorId: operator.id,
          ttlSeconds: OPERATOR_SESSION_TTL_SECONDS,
          ipHash: hashIp(ctx.ip),
        })
        await recordAudit(tx, ctx, {
          action: 'operator.login',
          targetType: 'operator',
          targetId: operator.id,
          tenantId: null,
          details: { sessionId: started.id },
        })
        return started
      })
      if (!session) return refuse(ctx, 'wrong_code', operator)
      const accessToken = await deps.accessTokens.issueOperator({ operatorId: operator.id, sessionId: session.id })
      return {
        accessToken,
        tokenType: 'Bearer',
        expiresIn: ACCESS_TOKEN_LIFETIME_SECONDS,
        session: { id: session.id, expiresAt: session.expiresAt.toISOString() },
      }
    },

    async logout(ctx: RequestContext): Promise<void> {
      const { operatorId, sessionId } = operatorOf(ctx)
      await ctx.inPlatform(async (tx) => {
        if ((await repository.revokeSessions(tx, operatorId, sessionId)) === 0) throw operatorsErrors.sessionEnded()
        // Impersonations started from this session end with it, in whichever tenant (platform scope).
        await endImpersonationsStartedFrom(tx, ctx, { type: 'operator', sessionIds: [sessionId] }, 'operator_logout')
        await recordAudit(tx, ctx, {
          action: 'operator.logout',
          targetType: 'operator',
          targetId: operatorId,
          tenantId: null,
          details: { sessionId },
        })
      })
    },

    async me(ctx: RequestContext) {
      const { operatorId, sessionId } = operatorOf(ctx)
      return ctx.inPlatform(async (tx) => {
        const profile = await repository.profile(tx, operatorId)
        const session = await repository.session(tx, sessionId, operatorId)
        if (!profile || !session) throw operatorsErrors.sessionEnded()
        return {
          id: profile.id,
          email: profile.email,
          displayName: profile.displayName,
          createdAt: profile.createdAt.toISOString(),
          session: {
            id: session.id,
            createdAt: session.createdAt.toISOString(),
            expiresAt: session.expiresAt.toISOString(),
          },
        }
      })
    },
  }
}

export type OperatorsService = ReturnType<typeof createOperatorsService>
