/**
 * Creating, disabling and unlocking operator accounts. There is no HTTP route for these on
 * purpose: an operator is created by someone with shell access to a deployment (`lyceum
 * operators create`), never by another API caller. Every operator has a password (the tenant
 * password policy) and a TOTP factor from the start; the otpauth URI is returned once, at creation,
 * and only its encrypted secret is kept.
 */
import { randomUUID } from 'node:crypto'
import { generateURI } from 'otplib'
import { recordAudit } from '../../../platform/audit/audit.ts'
import { platformScope, type Database } from '../../../platform/db/database.ts'
import { AppError } from '../../../platform/errors.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { normaliseEmail } from '../accounts/email-address.ts'
import { endImpersonationsStartedBy } from '../impersonation/starter-ends.ts'
import { encryptTotpSecret, newTotpSecret } from '../mfa/totp-secrets.ts'
import { hashPassword } from '../passwords/password-hasher.ts'
import { assertPasswordPolicy } from '../passwords/password-policy.ts'
import { operatorsErrors } from './operators.errors.ts'
import { operatorsRepository as repository } from './operators.repository.ts'

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const NAME_MAX = 200

/** What the TOTP ciphertext is bound to: distinct from any user's binding (mfa/totp-secrets.ts). */
export const operatorTotpBinding = (operatorId: string) => `operator:${operatorId}`

export interface NewOperator {
  email: string
  displayName: string
  password: string
  /** A given TOTP secret (base32) instead of a generated one: test harnesses only need to know it. */
  totpSecret?: string
}

export interface CreatedOperator {
  id: string
  email: string
  /** otpauth:// URI of the new TOTP factor; shown once, never stored in plain text. */
  otpauthUri: string
  totpSecret: string
}

export interface OperatorAccountsDeps {
  database: Database
  keyEncryptionKey: Uint8Array
}

export function createOperatorAccounts({ database, keyEncryptionKey }: OperatorAccountsDeps) {
  return {
    async create(ctx: RequestContext, input: NewOperator): Promise<CreatedOperator> {
      const email = normaliseEmail(input.email)
      if (!EMAIL.test(email) || email.length > 254)
        throw new AppError('invalid', 'INVALID_EMAIL', 'The email address is not valid')
      const displayName = input.displayName.trim()
      if (displayName === '' || displayName.length > NAME_MAX)
        throw new AppError('invalid', 'INVALID_NAME', `The name must have 1 to ${NAME_MAX} characters`)
      assertPasswordPolicy(input.password, { email })
      const id = randomUUID()
      const label = `operator:${email}`
      const { secret, otpauthUri } = input.totpSecret
        ? { secret: input.totpSecret, otpauthUri: generateURI({ issuer: 'Lyceum', label, secret: input.totpSecret }) }
        : newTotpSecret(label)
      // Hashing outside the transaction: argon2 must not hold a database connection.
      const passwordHash = await hashPassword(input.password)
      const totpSecretEncrypted = await encryptTotpSecret(secret, operatorTotpBinding(id), keyEncryptionKey)
      await database.transaction(platformScope, async (tx) => {
        if (!(await repository.insert(tx, { id, email, displayName, passwordHash, totpSecretEncrypted })))
          throw operatorsErrors.emailTaken()
        await recordAudit(tx, ctx, { action: 'operator.created', targetType: 'operator', targetId: id, tenantId: null })
      })
      return { id, email, otpauthUri, totpSecret: secret }
    },

    /** Disables the operator and ends its sessions: its tokens fail on their next request. */
    async disable(
      ctx: RequestContext,
      rawEmail: string,
    ): Promise<{ id: string; endedSessions: number; endedImpersonations: number }> {
      return database.transaction(platformScope, async (tx) => {
        const id = await repository.disable(tx, normaliseEmail(rawEmail))
        if (!id) throw operatorsErrors.notFound()
        const endedSessions = await repository.revokeSessions(tx, id)
        // Impersonations it started, in any tenant, end with it.
        const endedImpersonations = await endImpersonationsStartedBy(
          tx,
          ctx,
          { type: 'operator', id },
          'operator_disabled',
        )
        await recordAudit(tx, ctx, {
          action: 'operator.disabled',
          targetType: 'operator',
          targetId: id,
          tenantId: null,
          details: { endedSessions, endedImpersonations },
        })
        return { id, endedSessions, endedImpersonations }
      })
    },

    /** Lifts a lock (also the permanent one after 100 failures) and resets the failure count. */
    async unlock(ctx: RequestContext, rawEmail: string): Promise<{ id: string }> {
      return database.transaction(platformScope, async (tx) => {
        const id = await repository.unlock(tx, normaliseEmail(rawEmail))
        if (!id) throw operatorsErrors.notFound()
        await recordAudit(tx, ctx, {
          action: 'operator.unlocked',
          targetType: 'operator',
          targetId: id,
          tenantId: null,
        })
        return { id }
      })
    },
  }
}

export type OperatorAccounts = ReturnType<typeof createOperatorAccounts>
