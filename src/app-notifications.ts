/**
 * The notification center's ports (src/modules/notifications/ports.ts), wired to the owners'
 * index.ts functions: identity answers who a member is (address, status, language, zone),
 * tenancy what the tenant looks like (name, locale, zone, web client, branding).
 */
import type { Config } from './config.ts'
import { notificationRecipient, userContacts } from './modules/identity/index.ts'
import type { NotificationPorts } from './modules/notifications/index.ts'
import { readTenantSite } from './modules/tenancy/index.ts'

export function notificationPorts(config: Config): NotificationPorts {
  const siteOptions = {
    publicUrl: config.http.publicUrl,
    baseDomain: config.http.baseDomain,
    allowLocalHttpWebApps: config.profile !== 'production',
  }
  return {
    member: notificationRecipient,
    async displayNames(tx, userIds) {
      const contacts = await userContacts(tx, userIds)
      return new Map([...contacts].map(([id, contact]) => [id, contact.displayName]))
    },
    async site(tx, tenantId) {
      const site = await readTenantSite(tx, tenantId, siteOptions)
      return {
        name: site.name,
        origin: site.origin,
        defaultLocale: site.defaultLocale,
        timeZone: site.timeZone,
        webAppUrl: site.webAppUrl,
        branding: site.branding,
      }
    },
  }
}
