import { AppError } from '../../platform/errors.ts'

export const tenancyErrors = {
  notFound: (id: string) => new AppError('not_found', 'TENANT_NOT_FOUND', `Tenant ${id} does not exist`),
  slugTaken: (slug: string) =>
    new AppError('conflict', 'TENANT_SLUG_TAKEN', `The slug "${slug}" is already used by another tenant`),
  slugReserved: (slug: string) =>
    new AppError('invalid', 'TENANT_SLUG_RESERVED', `The slug "${slug}" is reserved`, {
      errors: [{ path: 'body.slug', message: 'is reserved for the platform', code: 'reserved' }],
    }),
  domainTaken: (domain: string) =>
    new AppError('conflict', 'DOMAIN_TAKEN', `The domain ${domain} is already registered`),
  settingInvalid: (setting: string, message: string) =>
    new AppError('invalid', 'TENANT_SETTING_INVALID', `The tenant setting ${setting} ${message}`, {
      errors: [{ path: `body.settings.${setting}`, message, code: 'setting' }],
    }),
  timeZoneUnknown: (name: string) =>
    new AppError('invalid', 'TENANT_TIME_ZONE_UNKNOWN', `${name} is not an IANA time zone`, {
      errors: [{ path: 'body.timeZone', message: 'is not an IANA time zone', code: 'timeZone' }],
    }),
  domainNotFound: (domain: string) =>
    new AppError('not_found', 'DOMAIN_NOT_FOUND', `The domain ${domain} is not registered to this tenant`),
}
