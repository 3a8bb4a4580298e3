/**
 * Credentials' column sealed under KEY_ENCRYPTION_KEY: each tenant's issuer private key
 * (issuer-keys.ts), registered with the platform's sealed-column registry so that
 * `lyceum keys reencrypt` moves it to a new key with the others.
 */
import type { SealedColumnRegistry } from '../../platform/crypto/sealed-columns.ts'
import { issuerKeys } from './credentials.tables.ts'

export function registerCredentialsSealedColumns(registry: SealedColumnRegistry): void {
  registry.register({
    name: 'credentials.issuer_keys',
    table: issuerKeys,
    id: issuerKeys.tenantId,
    sealed: issuerKeys.privateKeyEncrypted,
    tenant: issuerKeys.tenantId,
  })
}
