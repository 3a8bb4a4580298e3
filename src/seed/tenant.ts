/** The demo tenant every install outside production starts with (all profiles but production). */
import type { Lyceum } from '../app.ts'
import { systemContext } from '../platform/http/request-context.ts'

export const DEMO_SLUG = 'demo'

export async function seedDemoTenant(lyceum: Lyceum): Promise<{ tenantId: string; created: boolean }> {
  const { database } = lyceum.platform
  const ctx = systemContext(database, null, 'seed')
  const existing = await lyceum.modules.tenancy.directory.byHost(
    `${DEMO_SLUG}.${lyceum.platform.config.http.baseDomain}`,
  )
  if (existing && existing !== 'unknown-subdomain') return { tenantId: existing.id, created: false }
  const { tenant } = await lyceum.modules.tenancy.api.createTenant(ctx, {
    slug: DEMO_SLUG,
    name: 'Lyceum Demo Academy',
    region: 'eu',
    defaultLocale: 'en',
    currency: 'EUR',
    settings: { sandbox: true },
  })
  return { tenantId: tenant.id, created: true }
}
