/**
 * TOTP enrolment for the signed-in user, and the second step of sign-in. The secret is shown
 * once at enrolment and otherwise exists only encrypted; recovery codes are shown once at
 * confirmation and stored only hashed.
 */
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import { commonErrors } from '../../../platform/errors.ts'
import { refuseWhileImpersonating } from '../../../platform/http/access.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { hashOneTimeToken, newOneTimeToken } from '../accounts/one-time-tokens.ts'
import type { SessionStarter } from '../sessions/login.service.ts'
import type { IssuedSession, SessionIssuer, TokenPair } from '../sessions/session-issuer.ts'
import { sessionsRepository as sessions } from '../sessions/sessions.repository.ts'
import { createMfaAttempts, type MfaAttempts, type Proof } from './mfa-attempts.ts'
import { mfaErrors } from './mfa.errors.ts'
import { mfaRepository as repository } from './mfa.repository.ts'
import { mfaPolicy } from './mfa-policy.ts'
import { newRecoveryCodes } from './recovery-codes.ts'
import { encryptTotpSecret, newTotpSecret } from './totp-secrets.ts'

export interface MfaDeps {
  keyEncryptionKey: Uint8Array
  issuer: SessionIssuer
}

export interface SecondStepInput {
  mfaToken: string
  code?: string | undefined
  recoveryCode?: string | undefined
  userAgent: string | undefined
}

/** The signed-in user changing their own factor; an impersonator may not (it is a credential). */
function signedIn(ctx: RequestContext): { userId: string; tenantId: string } {
  if (ctx.principal.kind !== 'user') throw commonErrors.unauthenticated()
  refuseWhileImpersonating(ctx)
  return { userId: ctx.principal.userId, tenantId: ctx.principal.tenantId }
}

/** A full bearer session: the second step and a completed enrolment never start a restricted one. */
const fullSession = (issuer: SessionIssuer): SessionStarter<IssuedSession, TokenPair> => ({
  startSession: (tx, input) => issuer.startSession(tx, input),
  credentials: (session) => issuer.tokens(session),
})

function proofOf(input: { code?: string | undefined; recoveryCode?: string | undefined }): Proof {
  if (input.code !== undefined && input.recoveryCode === undefined) return { kind: 'totp', code: input.code }
  if (input.recoveryCode !== undefined && input.code === undefined)
    return { kind: 'recovery', code: input.recoveryCode }
  throw mfaErrors.oneProof()
}

/** Used by sign-in after the right password: a challenge instead of tokens when the user has a confirmed factor. */
export const secondFactorGate = {
  async challengeIfEnrolled(
    tx: Tx,
    ctx: RequestContext,
    input: { tenantId: string; userId: string },
  ): Promise<string | undefined> {
    if (!(await repository.isConfirmed(tx, input.userId))) return undefined
    const { token, tokenHash } = newOneTimeToken()
    await repository.createChallenge(tx, { ...input, tokenHash })
    await recordAudit(tx, ctx, { action: 'auth.mfa_challenge', targetType: 'user', targetId: input.userId })
    return token
  },
  restrictionOf: (tx: Tx, userId: string) => mfaPolicy.restrictionOf(tx, userId),
}

/** Second step of sign-in: the challenge from the password step plus a code starts the session (bearer or browser, by the starter). */
async function completeLogin<Started extends { sessionId: string }, Credentials>(
  ctx: RequestContext,
  input: SecondStepInput,
  starter: SessionStarter<Started, Credentials>,
  attempt: MfaAttempts,
): Promise<Credentials> {
  if (!ctx.tenantId) throw commonErrors.tenantRequired()
  const tenantId = ctx.tenantId
  const proof = proofOf(input)
  const challenge = await ctx.inTenant((tx) => repository.findChallenge(tx, hashOneTimeToken(input.mfaToken)))
  if (!challenge) throw mfaErrors.challengeInvalid()
  const session = await attempt(ctx, {
    userId: challenge.userId,
    proof,
    purpose: 'use',
    missing: mfaErrors.challengeInvalid,
    onSuccess: async (tx) => {
      // A concurrent request that used the challenge first wins; this transaction rolls back.
      if (!(await repository.useChallenge(tx, challenge.id))) throw mfaErrors.challengeInvalid()
      const started = await starter.startSession(tx, {
        tenantId,
        userId: challenge.userId,
        userAgent: input.userAgent,
        ip: ctx.ip,
      })
      await recordAudit(tx, ctx, {
        action: 'auth.login',
        targetType: 'user',
        targetId: challenge.userId,
        details: { sessionId: started.sessionId, secondFactor: proof.kind },
      })
      return started
    },
  })
  return starter.credentials(session)
}

export function createMfaService(deps: MfaDeps) {
  const attempt = createMfaAttempts(deps.keyEncryptionKey)

  return {
    async enrol(ctx: RequestContext): Promise<{ secret: string; otpauthUri: string }> {
      const { userId, tenantId } = signedIn(ctx)
      const email = await ctx.inTenant((tx) => repository.emailOf(tx, userId))
      if (!email) throw commonErrors.unauthenticated()
      const enrolment = newTotpSecret(email)
      const secretEncrypted = await encryptTotpSecret(enrolment.secret, userId, deps.keyEncryptionKey)
      await ctx.inTenant(async (tx) => {
        if (!(await repository.saveUnconfirmed(tx, { tenantId, userId, secretEncrypted })))
          throw mfaErrors.alreadyEnabled()
        await recordAudit(tx, ctx, { action: 'mfa.totp_enrolment_started', targetType: 'user', targetId: userId })
      })
      return enrolment
    },

    /**
     * Turns the pending factor on. A bearer caller held back by the tenant's policy (a restricted
     * token or session) gets a full session in exchange: the restricted one ends and the new
     * tokens come with the recovery codes, so the client need not sign in again.
     */
    async confirm(
      ctx: RequestContext,
      input: { code: string; userAgent: string | undefined },
    ): Promise<{ recoveryCodes: string[]; tokens?: TokenPair }> {
      const { userId, tenantId } = signedIn(ctx)
      // A cookie session needs no replacing: its verifier applies the policy afresh on every request.
      const restricted =
        ctx.principal.kind === 'user' && ctx.principal.restriction !== undefined && ctx.principal.viaCookie !== true
          ? ctx.principal
          : undefined
      const outcome = await attempt(ctx, {
        userId,
        proof: { kind: 'totp', code: input.code },
        purpose: 'confirm',
        missing: mfaErrors.noPendingEnrolment,
        onSuccess: async (tx) => {
          const fresh = newRecoveryCodes()
          await repository.replaceRecoveryCodes(tx, { tenantId, userId, hashes: fresh.hashes })
          await recordAudit(tx, ctx, { action: 'mfa.totp_enabled', targetType: 'user', targetId: userId })
          if (!restricted) return { codes: fresh.codes }
          const replaced =
            restricted.sessionId === undefined
              ? []
              : await sessions.revoke(tx, userId, restricted.sessionId, 'mfa_enrolled')
          const session = await deps.issuer.startSession(tx, {
            tenantId,
            userId,
            userAgent: input.userAgent,
            ip: ctx.ip,
          })
          await recordAudit(tx, ctx, {
            action: 'auth.login',
            targetType: 'user',
            targetId: userId,
            details: { sessionId: session.sessionId, method: 'mfa_enrolment', replacedSessions: replaced },
          })
          return { codes: fresh.codes, session }
        },
      })
      if (!outcome.session) return { recoveryCodes: outcome.codes }
      return { recoveryCodes: outcome.codes, tokens: await deps.issuer.tokens(outcome.session) }
    },

    async disable(ctx: RequestContext, code: string): Promise<void> {
      const { userId } = signedIn(ctx)
      if (await ctx.inTenant((tx) => mfaPolicy.requiredFor(tx, userId))) throw mfaErrors.requiredByPolicy()
      await attempt(ctx, {
        userId,
        proof: { kind: 'totp', code },
        purpose: 'use',
        missing: mfaErrors.notEnabled,
        onSuccess: async (tx) => {
          await repository.deleteFactor(tx, userId)
          await recordAudit(tx, ctx, { action: 'mfa.totp_disabled', targetType: 'user', targetId: userId })
        },
      })
    },

    completeLogin: (ctx: RequestContext, input: SecondStepInput): Promise<TokenPair> =>
      completeLogin(ctx, input, fullSession(deps.issuer), attempt),
    /** The same second step, ending in the starter's credentials (browser sessions). */
    completeLoginWith: <Started extends { sessionId: string }, Credentials>(
      ctx: RequestContext,
      input: SecondStepInput,
      starter: SessionStarter<Started, Credentials>,
    ) => completeLogin(ctx, input, starter, attempt),
  }
}

export type MfaService = ReturnType<typeof createMfaService>
