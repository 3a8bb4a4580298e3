/**
 * The links identity mails out. They point at the tenant: at its own web client when it has one
 * (settings.webAppUrl), else at the pages Lyceum serves on the tenant's host (pages.routes.ts).
 * Both answer the same paths, so a tenant can switch without breaking the contract:
 * `/verify-email`, `/reset-password`, `/magic-link` and `/invitation`, each with `?token=`.
 */
import type { Config } from '../../../config.ts'
import type { TenantSite, TenantSiteOptions } from '../../tenancy/index.ts'

export const PAGE_PATHS = {
  verifyEmail: '/verify-email',
  resetPassword: '/reset-password',
  magicLink: '/magic-link',
  invitation: '/invitation',
} as const

export type PageName = keyof typeof PAGE_PATHS

/** Where the tenant's people land: its web client, else its host on this deployment. */
export const siteHome = (site: Pick<TenantSite, 'origin' | 'webAppUrl'>): string => site.webAppUrl ?? site.origin

/** The link to `page` for this tenant, carrying `token` when given (a secret: mail it as one). */
export function pageLink(site: Pick<TenantSite, 'origin' | 'webAppUrl'>, page: PageName, token?: string): string {
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`
  return `${siteHome(site)}${PAGE_PATHS[page]}${query}`
}

/** How this deployment builds tenant links: PUBLIC_URL's scheme and port on `{slug}.BASE_DOMAIN`. */
export const siteOptionsOf = (config: Config): TenantSiteOptions => ({
  publicUrl: config.http.publicUrl,
  baseDomain: config.http.baseDomain,
  allowLocalHttpWebApps: config.profile !== 'production',
})
