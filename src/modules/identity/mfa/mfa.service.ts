/**
 * TOTP enrolment for the signed-in user, and the second step of sign-in. The secret is shown
 * once at enrolment and otherwise exists only encrypted; recovery codes are shown once at
 * confirmation and stored only hashed.
 */
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import { commonErrors } from '../../../platform/errors.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { hashOneTimeToken, newOneTimeToken } from '../accounts/one-time-tokens.ts'
import type { SessionIssuer, TokenPair } from '../sessions/session-issuer.ts'
import { createMfaAttempts, type MfaAttempts, type Proof } from './mfa-attempts.ts'
import { mfaErrors } from './mfa.errors.ts'
import { mfaRepository as repository } from './mfa.repository.ts'
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

function signedIn(ctx: RequestContext): { userId: string; tenantId: string } {
  if (ctx.principal.kind !== 'user') throw commonErrors.unauthenticated()
  return { userId: ctx.principal.userId, tenantId: ctx.principal.tenantId }
}

function proofOf(input: { code?: string | undefined; recoveryCode?: string | undefined }): Proof {
  if (input.code !== undefined && input.recoveryCode === undefined) return { kind: 'totp', code: input.code }
  if (input.recoveryCode !== undefined && input.code === undefined) return { kind: 'recovery', code: input.recoveryCode }
  throw mfaErrors.oneProof()
}

/** Used by sign-in after the right password: a challenge instead of tokens when the user has a confirmed factor. */
export const secondFactorGate = {
  async challengeIfEnrolled(tx: Tx, ctx: RequestContext, input: { tenantId: string; userId: string }): Promise<string | undefined> {
    if (!(await repository.isConfirmed(tx, input.userId))) return undefined
    const { token, tokenHash } = newOneTimeToken()
    await repository.createChallenge(tx, { ...input, tokenHash })
    await recordAudit(tx, ctx, { action: 'auth.mfa_challenge', targetType: 'user', targetId: input.userId })
    return token
  },
}

/** Second step of sign-in: the challenge from the password step plus a code starts the session. */
async function completeLogin(ctx: RequestContext, input: SecondStepInput, issuer: SessionIssuer, attempt: MfaAttempts): Promise<TokenPair> {
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
      const started = await issuer.startSession(tx, { tenantId, userId: challenge.userId, userAgent: input.userAgent, ip: ctx.ip })
      await recordAudit(tx, ctx, { action: 'auth.login', targetType: 'user', targetId: challenge.userId, details: { sessionId: started.sessionId, secondFactor: proof.kind } })
      return started
    },
  })
  return issuer.tokens(session)
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
        if (!(await repository.saveUnconfirmed(tx, { tenantId, userId, secretEncrypted }))) throw mfaErrors.alreadyEnabled()
        await recordAudit(tx, ctx, { action: 'mfa.totp_enrolment_started', targetType: 'user', targetId: userId })
      })
      return enrolment
    },

    async confirm(ctx: RequestContext, code: string): Promise<{ recoveryCodes: string[] }> {
      const { userId, tenantId } = signedIn(ctx)
      const recoveryCodes = await attempt(ctx, {
        userId,
        proof: { kind: 'totp', code },
        purpose: 'confirm',
        missing: mfaErrors.noPendingEnrolment,
        onSuccess: async (tx) => {
          const fresh = newRecoveryCodes()
          await repository.replaceRecoveryCodes(tx, { tenantId, userId, hashes: fresh.hashes })
          await recordAudit(tx, ctx, { action: 'mfa.totp_enabled', targetType: 'user', targetId: userId })
          return fresh.codes
        },
      })
      return { recoveryCodes }
    },

    async disable(ctx: RequestContext, code: string): Promise<void> {
      const { userId } = signedIn(ctx)
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

    completeLogin: (ctx: RequestContext, input: SecondStepInput) => completeLogin(ctx, input, deps.issuer, attempt),
  }
}

export type MfaService = ReturnType<typeof createMfaService>
