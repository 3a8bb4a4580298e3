/**
 * Where a tenant's credentials point: its public origin (tenancy's tenantOrigin, the host on which
 * the API serves that tenant's public routes; identity's mail links use the same), the
 * verification page of a certificate and the URL of the revocation status list.
 */
import { eq } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { tenantOrigin, tenants, type TenantUrlSettings } from '../tenancy/index.ts'

export type UrlSettings = TenantUrlSettings

export interface TenantIssuer {
  name: string
  origin: string
}

export const verificationUrlOf = (origin: string, code: string) => `${origin}/v1/certificates/verify/${code}`
export const statusListUrlOf = (origin: string) => `${origin}/v1/credentials/status-lists/revocation`

/** The transaction's tenant (RLS shows a tenant its own row only) as an issuer. */
export async function tenantIssuer(tx: Tx, tenantId: string, settings: UrlSettings): Promise<TenantIssuer> {
  const [row] = await tx
    .select({ name: tenants.name, slug: tenants.slug })
    .from(tenants)
    .where(eq(tenants.id, tenantId))
  if (!row) throw new Error(`tenant ${tenantId} is not visible in its own scope`)
  return { name: row.name, origin: tenantOrigin(settings, row.slug) }
}
