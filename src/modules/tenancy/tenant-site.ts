/**
 * Where a tenant lives on the web, for links other modules send out: its public origin
 * (`{slug}.{BASE_DOMAIN}` with the scheme and port of PUBLIC_URL, the host on which the API serves
 * the tenant's public routes and pages) and, when it has one, its own web client
 * (`settings.webAppUrl`). Certificate verification URLs and the links in identity's mails are
 * built from the same origin.
 */
import { eq } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { tenancyErrors } from './tenancy.errors.ts'
import { tenants } from './tenancy.tables.ts'

export interface TenantUrlSettings {
  publicUrl: string
  baseDomain: string
}

export interface TenantSiteOptions extends TenantUrlSettings {
  /** Outside production a web client may run over http on a localhost name (development). */
  allowLocalHttpWebApps: boolean
}

export interface TenantSite {
  id: string
  slug: string
  name: string
  defaultLocale: string
  /** IANA time zone of the tenant (UTC unless set). */
  timeZone: string
  /** How the tenant's notification mail looks and who it is from (settings; each part optional). */
  branding: TenantBranding
  /** The tenant's host on this deployment, e.g. https://acme.lyceum.example. */
  origin: string
  /** The tenant's own web client, validated; null when it has none (links go to Lyceum's pages). */
  webAppUrl: string | null
}

export interface TenantBranding {
  logoUrl: string | null
  /** `#rrggbb`. */
  primaryColor: string | null
  /** Display name of the From header. */
  senderName: string | null
}

export function tenantOrigin(urls: TenantUrlSettings, slug: string): string {
  const url = new URL(urls.publicUrl)
  url.hostname = `${slug}.${urls.baseDomain}`
  return url.origin
}

const MAX_URL_LENGTH = 2048
const LOCAL_HOST = /^(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.localhost|127\.0\.0\.1|\[::1\])$/

/** Why `value` is not an acceptable web client URL, or the URL normalised (no trailing slash). */
function checkWebAppUrl(value: unknown, allowLocalHttp: boolean): { url: string } | { problem: string } {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH)
    return { problem: `must be a URL of at most ${MAX_URL_LENGTH} characters` }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return { problem: 'must be an absolute URL' }
  }
  const localHttp = url.protocol === 'http:' && allowLocalHttp && LOCAL_HOST.test(url.hostname)
  if (url.protocol !== 'https:' && !localHttp)
    return {
      problem: allowLocalHttp ? 'must use https (http only on a localhost name)' : 'must use https',
    }
  if (url.username || url.password) return { problem: 'must not contain credentials' }
  // Links append a path and ?token=: a query or fragment of the base would swallow them.
  if (url.search || url.hash) return { problem: 'must not have a query or fragment' }
  return { url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` }
}

const PRIMARY_COLOR = /^#[0-9a-fA-F]{6}$/
// A display name goes into the From header: no line breaks, quotes or angle brackets to escape from it.
const SENDER_NAME = /^[^<>"\\]{1,100}$/
const hasControl = (value: string) => [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)

/** Why a branding setting is not acceptable; undefined when it is (or is absent). */
function brandingProblem(key: 'logoUrl' | 'primaryColor' | 'senderName', value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') return 'must be a string'
  if (key === 'primaryColor') return PRIMARY_COLOR.test(value) ? undefined : 'must be a colour #rrggbb'
  if (key === 'senderName')
    return SENDER_NAME.test(value) && !hasControl(value) && value.trim() === value
      ? undefined
      : 'must be 1-100 characters without line breaks, quotes or angle brackets'
  if (value.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`
  try {
    const url = new URL(value)
    if (url.protocol !== 'https:') return 'must use https'
    if (url.username || url.password) return 'must not contain credentials'
  } catch {
    return 'must be an absolute https URL'
  }
  return undefined
}

const BRANDING_KEYS = ['logoUrl', 'primaryColor', 'senderName'] as const

/** Refuses settings a module relies on when they are malformed (400 TENANT_SETTING_INVALID). */
export function assertTenantSettings(settings: Record<string, unknown>, options: { allowLocalHttpWebApps: boolean }) {
  for (const key of BRANDING_KEYS) {
    const problem = brandingProblem(key, settings[key])
    if (problem) throw tenancyErrors.settingInvalid(key, problem)
  }
  if (!('webAppUrl' in settings) || settings.webAppUrl === null) return
  const checked = checkWebAppUrl(settings.webAppUrl, options.allowLocalHttpWebApps)
  if ('problem' in checked) throw tenancyErrors.settingInvalid('webAppUrl', checked.problem)
}

/** Refuses a time zone Intl does not know (400 TENANT_TIME_ZONE_UNKNOWN). */
export function assertTimeZone(name: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name })
  } catch {
    throw tenancyErrors.timeZoneUnknown(name)
  }
}

/** The branding in settings; a part that is not (any longer) valid is left out. */
export function brandingOf(settings: Record<string, unknown>): TenantBranding {
  const part = (key: (typeof BRANDING_KEYS)[number]) => {
    const value = settings[key]
    return typeof value === 'string' && brandingProblem(key, value) === undefined ? value : null
  }
  return { logoUrl: part('logoUrl'), primaryColor: part('primaryColor'), senderName: part('senderName') }
}

/** The web client URL in settings, or null when absent or not (any longer) acceptable. */
export function webAppUrlOf(settings: Record<string, unknown>, allowLocalHttp: boolean): string | null {
  if (settings.webAppUrl === undefined || settings.webAppUrl === null) return null
  const checked = checkWebAppUrl(settings.webAppUrl, allowLocalHttp)
  return 'url' in checked ? checked.url : null
}

/** The transaction's tenant (RLS shows a tenant its own row only) as a site; undefined when not visible. */
export async function findTenantSite(
  tx: Tx,
  tenantId: string,
  options: TenantSiteOptions,
): Promise<TenantSite | undefined> {
  const [row] = await tx
    .select({
      id: tenants.id,
      slug: tenants.slug,
      name: tenants.name,
      defaultLocale: tenants.defaultLocale,
      timeZone: tenants.timeZone,
      settings: tenants.settings,
    })
    .from(tenants)
    .where(eq(tenants.id, tenantId))
  if (!row) return undefined
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    defaultLocale: row.defaultLocale,
    timeZone: row.timeZone,
    branding: brandingOf(row.settings),
    origin: tenantOrigin(options, row.slug),
    webAppUrl: webAppUrlOf(row.settings, options.allowLocalHttpWebApps),
  }
}

/** The transaction's own tenant as a site (it always sees itself). */
export async function readTenantSite(tx: Tx, tenantId: string, options: TenantSiteOptions): Promise<TenantSite> {
  const site = await findTenantSite(tx, tenantId, options)
  if (!site) throw new Error(`tenant ${tenantId} is not visible in its own scope`)
  return site
}
