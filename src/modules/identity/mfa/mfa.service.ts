/**
 * TOTP enrolment for the signed-in user, and the second step of sign-in. The secret is shown
 * once at enrolment and otherwise exists only encrypted; recovery codes are shown once at
 * confirmation (or regeneration) and stored only as keyed hashes (recovery-codes.ts).
 *
 * Starting an enrolment, turning the factor off and regenerating recovery codes need
 * re-authentication (../sessions/reauthentication.ts): the current password, or a sign-in within
 * the last five minutes. Confirming needs no more than the code: it only turns on the factor an
 * enrolment started under re-authentication created. Every change is mailed to the user.
 */
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import { commonErrors } from '../../../platform/errors.ts'
import { refuseWhileImpersonating } from '../../../platform/http/access.ts'
import { tenantScope, type Database } from '../../../platform/db/database.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { hashOneTimeToken } from '../accounts/one-time-tokens.ts'
import type { SecurityNotices } from '../accounts/security-notices.ts'
import type { Reauthenticate } from '../sessions/reauthentication.ts'
import { startSignedIn, type SessionStarter } from '../sessions/login.service.ts'
import type { IssuedSession, SessionIssuer, TokenPair } from '../sessions/session-issuer.ts'
import { sessionsRepository as sessions } from '../sessions/sessions.repository.ts'
import { createMfaAttempts, type MfaAttempts, type Proof } from './mfa-attempts.ts'
import { mfaErrors } from './mfa.errors.ts'
import { mfaRepository as repository } from './mfa.repository.ts'
import { mfaPolicy } from './mfa-policy.ts'
import { newMfaToken, tenantOfMfaToken } from './mfa-tokens.ts'
import { newRecoveryCodes, recoveryCodeHasher } from './recovery-codes.ts'
import { encryptTotpSecret, newTotpSecret } from './totp-secrets.ts'

export interface MfaDeps {
  database: Database
  keyEncryptionKey: Uint8Array
  /** RECOVERY_CODE_HMAC_SECRET: the key recovery codes are stored under. */
  recoveryCodeSecret: string
  issuer: SessionIssuer
  reauthenticate: Reauthenticate
  notices: SecurityNotices
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
    const { token, tokenHash } = newMfaToken(input.tenantId)
    await repository.createChallenge(tx, { ...input, tokenHash })
    await recordAudit(tx, ctx, { action: 'auth.mfa_challenge', targetType: 'user', targetId: input.userId })
    return token
  },
  restrictionOf: (tx: Tx, userId: string) => mfaPolicy.restrictionOf(tx, userId),
}

/**
 * The request's context bound to the tenant the challenge names: the second step may come on a
 * host that names no tenant (like a refresh), but never on another tenant's host.
 */
function challengeContext(
  database: Database,
  ctx: RequestContext,
  mfaToken: string,
): { ctx: RequestContext; tenantId: string } {
  const tenantId = tenantOfMfaToken(mfaToken) ?? ctx.tenantId
  if (!tenantId) throw commonErrors.tenantRequired()
  if (ctx.tenantId !== null && ctx.tenantId !== tenantId) throw mfaErrors.challengeInvalid()
  if (ctx.tenantId === tenantId) return { ctx, tenantId }
  const bound: RequestContext = {
    ...ctx,
    tenantId,
    inTenant: (work) => database.transaction(tenantScope(tenantId), work, { counter: ctx.counter }),
  }
  return { ctx: bound, tenantId }
}

/** Second step of sign-in: the challenge from the password step plus a code starts the session (bearer or browser, by the starter). */
async function completeLogin<Started extends { sessionId: string }, Credentials>(
  database: Database,
  requestCtx: RequestContext,
  input: SecondStepInput,
  starter: SessionStarter<Started, Credentials>,
  attempt: MfaAttempts,
): Promise<Credentials> {
  const { ctx, tenantId } = challengeContext(database, requestCtx, input.mfaToken)
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
      return startSignedIn(
        tx,
        ctx,
        starter,
        { tenantId, userId: challenge.userId, userAgent: input.userAgent },
        { secondFactor: proof.kind },
      )
    },
  })
  return starter.credentials(session)
}

export function createMfaService(deps: MfaDeps) {
  const hashRecoveryCode = recoveryCodeHasher(deps.recoveryCodeSecret)
  const attempt = createMfaAttempts(deps.keyEncryptionKey, hashRecoveryCode)
  const { notices } = deps
  /** The current password, or a sign-in within the last minutes. */
  const reauthenticated = (ctx: RequestContext, password: string | undefined) =>
    deps.reauthenticate(ctx, { password, allowRecentSignIn: true })

  return {
    async status(ctx: RequestContext) {
      const { userId } = signedIn(ctx)
      const found = await ctx.inTenant((tx) => repository.status(tx, userId))
      return { totp: found.factor, recoveryCodesRemaining: found.factor === 'enabled' ? found.remaining : 0 }
    },

    async enrol(
      ctx: RequestContext,
      input: { password?: string | undefined },
    ): Promise<{ secret: string; otpauthUri: string }> {
      const { userId, tenantId } = signedIn(ctx)
      await reauthenticated(ctx, input.password)
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
          const fresh = newRecoveryCodes(hashRecoveryCode)
          await repository.replaceRecoveryCodes(tx, { tenantId, userId, hashes: fresh.hashes })
          await recordAudit(tx, ctx, { action: 'mfa.totp_enabled', targetType: 'user', targetId: userId })
          await notices.send(tx, { tenantId, userId, notice: { kind: 'mfa_enabled' } })
          if (!restricted) return { codes: fresh.codes }
          const replaced =
            restricted.sessionId === undefined
              ? []
              : await sessions.revoke(tx, userId, restricted.sessionId, 'mfa_enrolled')
          const session = await startSignedIn(
            tx,
            ctx,
            deps.issuer,
            { tenantId, userId, userAgent: input.userAgent },
            { method: 'mfa_enrolment', replacedSessions: replaced },
          )
          return { codes: fresh.codes, session }
        },
      })
      if (!outcome.session) return { recoveryCodes: outcome.codes }
      return { recoveryCodes: outcome.codes, tokens: await deps.issuer.tokens(outcome.session) }
    },

    async disable(ctx: RequestContext, input: { code: string; password?: string | undefined }): Promise<void> {
      const { userId, tenantId } = signedIn(ctx)
      const code = input.code
      await reauthenticated(ctx, input.password)
      if (await ctx.inTenant((tx) => mfaPolicy.requiredFor(tx, userId))) throw mfaErrors.requiredByPolicy()
      await attempt(ctx, {
        userId,
        proof: { kind: 'totp', code },
        purpose: 'use',
        missing: mfaErrors.notEnabled,
        onSuccess: async (tx) => {
          await repository.deleteFactor(tx, userId)
          await recordAudit(tx, ctx, { action: 'mfa.totp_disabled', targetType: 'user', targetId: userId })
          await notices.send(tx, { tenantId, userId, notice: { kind: 'mfa_disabled', byAdministrator: false } })
        },
      })
    },

    /** New recovery codes for a confirmed factor; the previous ones stop working. */
    async regenerateRecoveryCodes(
      ctx: RequestContext,
      input: { password?: string | undefined },
    ): Promise<{ recoveryCodes: string[] }> {
      const { userId, tenantId } = signedIn(ctx)
      await reauthenticated(ctx, input.password)
      const fresh = newRecoveryCodes(hashRecoveryCode)
      await ctx.inTenant(async (tx) => {
        if (!(await repository.isConfirmed(tx, userId))) throw mfaErrors.notEnabled()
        await repository.replaceRecoveryCodes(tx, { tenantId, userId, hashes: fresh.hashes })
        await recordAudit(tx, ctx, { action: 'mfa.recovery_codes_regenerated', targetType: 'user', targetId: userId })
        await notices.send(tx, { tenantId, userId, notice: { kind: 'recovery_codes_regenerated' } })
      })
      return { recoveryCodes: fresh.codes }
    },

    completeLogin: (ctx: RequestContext, input: SecondStepInput): Promise<TokenPair> =>
      completeLogin(deps.database, ctx, input, fullSession(deps.issuer), attempt),
    /** The same second step, ending in the starter's credentials (browser sessions). */
    completeLoginWith: <Started extends { sessionId: string }, Credentials>(
      ctx: RequestContext,
      input: SecondStepInput,
      starter: SessionStarter<Started, Credentials>,
    ) => completeLogin(deps.database, ctx, input, starter, attempt),
  }
}

export type MfaService = ReturnType<typeof createMfaService>
