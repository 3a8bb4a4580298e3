/**
 * One checked attempt at a second factor (TOTP code or recovery code), throttled per factor:
 * at most 5 failures per 15 minutes (the next attempt is refused even with the right code) and a
 * lock after 20 consecutive failures. The attempt is reserved and committed before the code is
 * checked, so a crash or a concurrent burst cannot get around the budget; a success gives it
 * back in the same transaction as the caller's own work. Every failure, refusal and lock is audited.
 */
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { mfaErrors } from './mfa.errors.ts'
import { mfaRepository as repository } from './mfa.repository.ts'
import { matchRecoveryCode, type RecoveryCodeHasher } from './recovery-codes.ts'
import { decryptTotpSecret, matchingStep } from './totp-secrets.ts'

export type Proof = { kind: 'totp'; code: string } | { kind: 'recovery'; code: string }

export interface AttemptInput<T> {
  userId: string
  proof: Proof
  /** 'confirm' checks the pending (unconfirmed) factor and confirms it on success. */
  purpose: 'confirm' | 'use'
  /** The caller's work, in the transaction that records the success. */
  onSuccess: (tx: Tx) => Promise<T>
  /** Error when the user has no factor in the expected state. */
  missing: () => Error
}

async function refuse(ctx: RequestContext, userId: string, confirmed: boolean, missing: () => Error): Promise<never> {
  const refusal = await ctx.inTenant(async (tx) => {
    const found = await repository.refusal(tx, userId, confirmed)
    if (found)
      await recordAudit(tx, ctx, {
        action: 'mfa.attempt_refused',
        targetType: 'user',
        targetId: userId,
        outcome: 'denied',
        details: { reason: found.locked ? 'locked' : 'throttled' },
      })
    return found
  })
  if (!refusal) throw missing()
  throw refusal.locked ? mfaErrors.locked() : mfaErrors.throttled(refusal.retryAfter)
}

async function recordFailure(tx: Tx, ctx: RequestContext, userId: string, proof: Proof): Promise<void> {
  const state = await repository.lockIfExhausted(tx, userId)
  await recordAudit(tx, ctx, {
    action: 'mfa.failed',
    targetType: 'user',
    targetId: userId,
    outcome: 'failure',
    details: {
      proof: proof.kind,
      consecutiveFailures: state.consecutiveFailures,
      windowFailures: state.windowFailures,
    },
  })
  if (state.lockedNow)
    await recordAudit(tx, ctx, {
      action: 'mfa.locked',
      targetType: 'user',
      targetId: userId,
      outcome: 'denied',
      details: { consecutiveFailures: state.consecutiveFailures },
    })
}

export function createMfaAttempts(keyEncryptionKey: Uint8Array, hashRecoveryCode: RecoveryCodeHasher) {
  async function useRecoveryCode(tx: Tx, userId: string, code: string): Promise<boolean> {
    const id = matchRecoveryCode(hashRecoveryCode, code, await repository.unusedRecoveryCodes(tx, userId))
    return id !== undefined && (await repository.useRecoveryCode(tx, userId, id))
  }

  return async function attempt<T>(ctx: RequestContext, input: AttemptInput<T>): Promise<T> {
    const { userId, proof } = input
    const confirmed = input.purpose === 'use'
    const reserved = await ctx.inTenant((tx) => repository.reserveAttempt(tx, userId, confirmed))
    if (!reserved) return refuse(ctx, userId, confirmed, input.missing)
    // Checked outside any transaction: decryption and HMACs need no database connection.
    const step =
      proof.kind === 'totp'
        ? await matchingStep(
            await decryptTotpSecret(reserved.secretEncrypted, userId, keyEncryptionKey),
            proof.code,
            reserved.lastUsedStep,
          )
        : undefined
    const outcome = await ctx.inTenant(async (tx) => {
      const accepted =
        proof.kind === 'totp'
          ? step !== undefined && (await repository.recordSuccess(tx, userId, step, !confirmed))
          : confirmed &&
            (await useRecoveryCode(tx, userId, proof.code)) &&
            (await repository.recordSuccess(tx, userId, undefined, false))
      if (!accepted) {
        await recordFailure(tx, ctx, userId, proof)
        return { accepted: false as const }
      }
      return { accepted: true as const, value: await input.onSuccess(tx) }
    })
    if (!outcome.accepted) throw mfaErrors.codeInvalid()
    return outcome.value
  }
}

export type MfaAttempts = ReturnType<typeof createMfaAttempts>
