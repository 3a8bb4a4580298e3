/** The tenant's commerce settings: read with tenant:read, replaced by tenant administrators. */
import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import { expectedVersion, setEtag } from '../../../platform/http/etag.ts'
import type { App } from '../../../platform/http/server.ts'
import { CommerceSettingsBody } from './prices.schemas.ts'
import type { SettingsService } from './settings.service.ts'

const tags = ['prices']

export function settingsRoutes(app: App, service: SettingsService): void {
  app.get(
    '/v1/commerce/settings',
    {
      schema: {
        summary: "The tenant's commerce settings",
        description:
          'The currencies prices are set and sold in, the base currency other currencies are converted from, the minimum price per currency, whether prices include tax, and whether a partial refund keeps or revokes the buyer’s access. Needs tenant:read. A tenant that never changed them reads the defaults (USD only, no minimum, tax added at checkout, access kept on a partial refund) with version 0; the ETag is the version to send as If-Match.',
        tags,
        operationId: 'getCommerceSettings',
        response: { 200: Type.Ref('CommerceSettings') },
      },
      config: { access: tenantAccess('tenant:read') },
    },
    async (request, reply) => {
      const settings = await service.get(request.ctx)
      setEtag(reply, settings.version)
      return settings
    },
  )

  app.put(
    '/v1/commerce/settings',
    {
      schema: {
        summary: "Replace the tenant's commerce settings",
        description:
          'Tenant administrators (tenant:manage). Requires If-Match with the ETag of your last read (428 without it, 412 when it changed since; "v0" before the first change). Codes are ISO 4217 (400 UNKNOWN_CURRENCY, 400 DUPLICATE_CURRENCY); the base currency and every minimum must name an allowed currency (422). Current prices must stay valid: removing a currency they use is 409 CURRENCY_IN_USE, a minimum above one of them 409 PRICES_BELOW_MINIMUM. partialRefundAccess (keep | revoke) left out stays as it is. A change is audited (commerce.settings_changed, with both values); sending the current values changes nothing. Refused while impersonating.',
        tags,
        operationId: 'replaceCommerceSettings',
        body: CommerceSettingsBody,
        response: { 200: Type.Ref('CommerceSettings') },
      },
      config: { ifMatch: 'required', access: tenantAccess('tenant:manage'), privileged: true },
    },
    async (request, reply) => {
      const settings = await service.replace(request.ctx, expectedVersion(request) as number, request.body)
      setEtag(reply, settings.version)
      return settings
    },
  )
}
