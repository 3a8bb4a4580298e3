/**
 * Sign-in with email and password, with per-account throttling (NIST SP 800-63B §5.2.2, ASVS
 * V6.3): from the 5th consecutive failure the account is locked for a minute, doubling per
 * further failure up to an hour; at 100 it stays locked until a reset. A locked account is
 * refused even with the right password, and attempts during a lock are not counted (they would
 * only let an attacker push a victim towards the hard lock faster). The refusal is the same 401
 * INVALID_CREDENTIALS as a wrong password, so a lock tells nobody that the address has an
 * account; the owner is told by email (login-failures.ts).
 *
 * Unknown email, wrong password, disabled account and an account without password all answer
 * INVALID_CREDENTIALS after one argon2 verification each, so neither body nor timing tells them
 * apart. EMAIL_NOT_VERIFIED is only said after the right password.
 *
 * Failures are recorded in their own committed transaction before the error is thrown: a
 * rollback must not erase a failed attempt or its audit entry. Each failure, lock and refusal is
 * also logged at warn (login-events.ts).
 *
 * Independently of the account, failed sign-ins are counted per client IP (login-ip-throttle.ts):
 * a throttled IP is refused before the account is even looked up. Every INVALID_CREDENTIALS
 * answer counts, unknown emails included, since guessing across many accounts is what the IP
 * count exists for.
 */
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import { commonErrors } from '../../../platform/errors.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { normaliseEmail } from '../accounts/email-address.ts'
import { hashPassword, needsRehash, verifyPassword } from '../passwords/password-hasher.ts'
import { createLoginFailures, isLocked, type LoginFailuresDeps } from './login-failures.ts'
import { sessionsErrors } from './sessions.errors.ts'
import { sessionsRepository as repository } from './sessions.repository.ts'
import type { IssuedSession, RestrictedSession, RestrictedTokens, SessionIssuer, TokenPair } from './session-issuer.ts'
import type { Restriction } from '../mfa/mfa-policy.ts'

/** Sign-in stops after the password when the user has a second factor (implemented by ../mfa). */
export interface SecondFactorGate {
  /** A short-lived challenge token for the second step, or undefined when the user has no confirmed factor. */
  challengeIfEnrolled(
    tx: Tx,
    ctx: RequestContext,
    input: { tenantId: string; userId: string },
  ): Promise<string | undefined>
  /** 'mfa_enrolment' when the tenant requires a factor for one of the user's roles and they have none yet. */
  restrictionOf(tx: Tx, userId: string): Promise<Restriction | undefined>
}

export interface MfaChallenge {
  mfaRequired: true
  mfaToken: string
}

export interface LoginInput {
  email: string
  password: string
  userAgent: string | undefined
}

function tenantOf(ctx: RequestContext): string {
  if (!ctx.tenantId) throw commonErrors.tenantRequired()
  return ctx.tenantId
}

/**
 * What a successful sign-in turns into: the session issuer's bearer tokens by default, a cookie
 * session for browsers (browser-sessions.service.ts). startSession runs in the sign-in
 * transaction; credentials runs after it committed.
 */
export interface SessionStarter<Started extends { sessionId: string }, Credentials> {
  /**
   * With `restriction`, the session must stay restricted (no refresh, only the routes that allow
   * restricted principals) until the user enrols a factor; see ../mfa/mfa-policy.ts.
   */
  startSession(
    tx: Tx,
    input: {
      tenantId: string
      userId: string
      userAgent: string | undefined
      ip: string
      restriction?: Restriction | undefined
    },
  ): Promise<Started>
  credentials(started: Started): Promise<Credentials>
}

/**
 * Starts the session of a user who just proved who they are (password, second factor, emailed
 * link, invitation) and audits the sign-in (`auth.login`, with how in `details`) in the same
 * transaction: every way in leaves the same trail.
 */
export async function startSignedIn<Started extends { sessionId: string }>(
  tx: Tx,
  ctx: RequestContext,
  starter: Pick<SessionStarter<Started, unknown>, 'startSession'>,
  input: { tenantId: string; userId: string; userAgent: string | undefined; restriction?: Restriction | undefined },
  details: Record<string, unknown>,
): Promise<Started> {
  const started = await starter.startSession(tx, { ...input, ip: ctx.ip })
  await recordAudit(tx, ctx, {
    action: 'auth.login',
    targetType: 'user',
    targetId: input.userId,
    details: {
      sessionId: started.sessionId,
      ...details,
      ...(input.restriction ? { restriction: input.restriction } : {}),
    },
  })
  return started
}

/**
 * The bearer starter: the issuer's session row and refresh token, then a signed access token; a
 * restricted session gets no refresh token and a restricted access token.
 */
export const bearerStarter = (
  issuer: SessionIssuer,
): SessionStarter<IssuedSession | RestrictedSession, TokenPair | RestrictedTokens> => ({
  startSession: (tx, { restriction, ...input }) =>
    restriction ? issuer.startRestrictedSession(tx, { ...input, restriction }) : issuer.startSession(tx, input),
  credentials: (session) => ('restriction' in session ? issuer.restrictedTokens(session) : issuer.tokens(session)),
})

export interface LoginDeps extends LoginFailuresDeps {
  issuer: SessionIssuer
  secondFactor: SecondFactorGate
}

export function createLoginService({ issuer, secondFactor, ...failureDeps }: LoginDeps) {
  const failures = createLoginFailures(failureDeps)

  const bearer = bearerStarter(issuer)

  return {
    login: (ctx: RequestContext, input: LoginInput): Promise<TokenPair | RestrictedTokens | MfaChallenge> =>
      signIn(ctx, input, bearer),
    /** The same sign-in (throttling, lockout, second factor), ending in the starter's credentials. */
    signIn,
  }

  async function signIn<Started extends { sessionId: string }, Credentials>(
    ctx: RequestContext,
    input: LoginInput,
    starter: SessionStarter<Started, Credentials>,
  ): Promise<Credentials | MfaChallenge> {
    const tenantId = tenantOf(ctx)
    await failures.refuseThrottledIp(ctx, tenantId)
    const email = normaliseEmail(input.email)
    const user = await ctx.inTenant((tx) => repository.findLoginCandidate(tx, email))
    if (!user || !user.passwordHash || user.status !== 'active' || isLocked(user))
      return failures.refuseEarly(ctx, tenantId, email, input.password, user)
    if (!(await verifyPassword(user.passwordHash, input.password))) {
      await failures.recordWrongPassword(ctx, tenantId, user.id)
      throw sessionsErrors.invalidCredentials()
    }
    if (!user.emailVerified) await failures.refuseUnverified(ctx, user.id)
    // Rehashed outside the transaction: argon2 must not hold a database connection.
    const newHash = needsRehash(user.passwordHash) ? await hashPassword(input.password) : undefined
    const outcome = await ctx.inTenant(async (tx) => {
      // A lock set by a concurrent failure since we read the account wins over this success.
      if (!(await repository.recordSuccess(tx, user.id, newHash))) {
        return { kind: 'locked' as const }
      }
      const mfaToken = await secondFactor.challengeIfEnrolled(tx, ctx, { tenantId, userId: user.id })
      if (mfaToken) return { kind: 'second_factor' as const, mfaToken }
      const restriction = await secondFactor.restrictionOf(tx, user.id)
      const session = await startSignedIn(
        tx,
        ctx,
        starter,
        { tenantId, userId: user.id, userAgent: input.userAgent, restriction },
        { rehashed: newHash !== undefined },
      )
      return { kind: 'started' as const, session }
    })
    if (outcome.kind === 'locked') return failures.refuseLocked(ctx, tenantId, user.id)
    if (outcome.kind === 'second_factor') return { mfaRequired: true, mfaToken: outcome.mfaToken }
    return starter.credentials(outcome.session)
  }
}

export type LoginService = ReturnType<typeof createLoginService>
