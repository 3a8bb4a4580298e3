import { Type, type Static } from 'typebox'
import { DEFAULT_PLAN, TENANT_PLANS } from '../../platform/ratelimit/plans.ts'

export const SLUG_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'
const HOSTNAME_PATTERN = '^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$'

const Slug = Type.String({
  pattern: SLUG_PATTERN,
  minLength: 2,
  maxLength: 63,
  description: 'Subdomain-safe identifier',
})
const Name = Type.String({ minLength: 1, maxLength: 200 })
const Region = Type.String({
  pattern: '^[a-z]{2}(?:-[a-z0-9]{1,16})?$',
  maxLength: 19,
  description: 'Data residency region, e.g. eu, us, eu-central',
})
const Locale = Type.String({
  pattern: '^[a-z]{2,3}(?:-[A-Z]{2})?$',
  description: 'BCP 47 language tag, e.g. en, fr-CA',
})
const TimeZone = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9_+\\-]+(/[A-Za-z0-9_+\\-]+)*$',
  description:
    "IANA time zone, e.g. Europe/Berlin (400 TENANT_TIME_ZONE_UNKNOWN when Intl does not know it); members' quiet hours fall back to it",
})
const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' })
const Domain = Type.String({ pattern: HOSTNAME_PATTERN, maxLength: 253, description: 'Lower-case host name' })
const Settings = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
  maxProperties: 50,
  description:
    "Tenant settings. Known keys are validated (400 TENANT_SETTING_INVALID): webAppUrl, the tenant's own web client (https; http on a localhost name outside production; no query or fragment), where the links of account emails go instead of Lyceum's hosted pages; the branding of notification mail: logoUrl (https, at most 2048 characters), primaryColor (#rrggbb), senderName (1-100 characters, no line breaks or angle brackets; the display name of the From header)",
})
const Status = Type.Union([Type.Literal('active'), Type.Literal('suspended')])
const Plan = Type.Enum([...TENANT_PLANS], {
  description: `Rate-limit plan: the tenant-wide quotas of its callers (${TENANT_PLANS.join(', ')}; default ${DEFAULT_PLAN}). docs/operations.md lists each plan's quotas`,
})

export const Tenant = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    slug: Slug,
    name: Name,
    status: Status,
    plan: Plan,
    region: Region,
    defaultLocale: Locale,
    timeZone: TimeZone,
    currency: Currency,
    domains: Type.Array(Domain),
    settings: Settings,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Tenant', additionalProperties: false },
)
export type Tenant = Static<typeof Tenant>

export const CreateTenantBody = Type.Object(
  {
    slug: Slug,
    name: Name,
    plan: Type.Optional(Plan),
    region: Type.Optional(Region),
    defaultLocale: Type.Optional(Locale),
    timeZone: Type.Optional(TimeZone),
    currency: Type.Optional(Currency),
    domains: Type.Optional(Type.Array(Domain, { maxItems: 10, uniqueItems: true })),
    settings: Type.Optional(Settings),
  },
  { $id: 'CreateTenantBody', additionalProperties: false },
)
export type CreateTenantBody = Static<typeof CreateTenantBody>

export const UpdateTenantBody = Type.Object(
  {
    name: Type.Optional(Name),
    status: Type.Optional(Status),
    plan: Type.Optional(Plan),
    region: Type.Optional(Region),
    defaultLocale: Type.Optional(Locale),
    timeZone: Type.Optional(TimeZone),
    currency: Type.Optional(Currency),
    settings: Type.Optional(Settings),
  },
  { $id: 'UpdateTenantBody', additionalProperties: false, minProperties: 1 },
)
export type UpdateTenantBody = Static<typeof UpdateTenantBody>

export const DomainBody = Type.Object({ domain: Domain }, { $id: 'DomainBody', additionalProperties: false })

export const TenantIdParams = Type.Object({ tenantId: Type.String({ format: 'uuid' }) })
export const DomainParams = Type.Object({ tenantId: Type.String({ format: 'uuid' }), domain: Domain })

/** What anonymous visitors of a tenant's host may know about it. */
export const Site = Type.Object(
  { slug: Slug, name: Name, defaultLocale: Locale, currency: Currency },
  { $id: 'Site', additionalProperties: false },
)
