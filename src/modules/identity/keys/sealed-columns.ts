/**
 * Identity's columns sealed under KEY_ENCRYPTION_KEY, registered with the platform's sealed-column
 * registry so that `lyceum keys reencrypt` (platform/crypto/reencrypt.ts) moves them to a new key:
 * the signing keys' private halves (superseded keys have theirs erased: ''), users' TOTP secrets
 * and operators' TOTP secrets.
 */
import type { SealedColumnRegistry } from '../../../platform/crypto/sealed-columns.ts'
import { signingKeys, totpFactors } from '../identity.tables.ts'
import { operators } from '../operators/operators.tables.ts'
import { lockSigningKeys } from './keys.repository.ts'

export function registerIdentitySealedColumns(registry: SealedColumnRegistry): void {
  registry.register({
    name: 'identity.signing_keys',
    table: signingKeys,
    id: signingKeys.kid,
    sealed: signingKeys.privateJwkEncrypted,
    tenant: null,
    // Rotation creates and supersedes keys under this lock.
    lock: lockSigningKeys,
  })
  registry.register({
    name: 'identity.totp_factors',
    table: totpFactors,
    id: totpFactors.userId,
    sealed: totpFactors.secretEncrypted,
    tenant: totpFactors.tenantId,
  })
  registry.register({
    name: 'identity.operators',
    table: operators,
    id: operators.id,
    sealed: operators.totpSecretEncrypted,
    tenant: null,
  })
}
