/**
 * Where a tenant's credentials point: its public origin (`{slug}.{BASE_DOMAIN}` with the scheme
 * and port of PUBLIC_URL, the host on which the API serves that tenant's public routes), the
 * verification page of a certificate and the URL of the revocation status list.
 */
import { eq } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { tenants } from '../tenancy/index.ts'

export interface UrlSettings {
  publicUrl: string
  baseDomain: string
}

export interface TenantIssuer {
  name: string
  origin: string
}

export function tenantOrigin(settings: UrlSettings, slug: string): string {
  const url = new URL(settings.publicUrl)
  url.hostname = `${slug}.${settings.baseDomain}`
  return url.origin
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
