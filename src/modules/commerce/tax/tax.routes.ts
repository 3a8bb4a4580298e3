/** The tenant's tax profile and rate table: read with tenant:read, changed by tenant administrators. */
import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import { expectedVersion, setEtag } from '../../../platform/http/etag.ts'
import { Page } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import { PlaceParams, TaxProfileBody, TaxRateBody, TaxRateQuery } from './tax.schemas.ts'
import type { TaxService } from './tax.service.ts'

const tags = ['tax']
const read = { access: tenantAccess('tenant:read') }
const manage = { access: tenantAccess('tenant:manage'), privileged: true }

function profileRoutes(app: App, service: TaxService): void {
  app.get(
    '/v1/commerce/tax/profile',
    {
      schema: {
        summary: "The tenant's tax profile",
        description:
          'Who sells (legal name, country of establishment, tax number and postal address as invoices show them) and whether EU B2B reverse charge applies; the tenant is always the seller of record. pricesIncludeTax comes from the commerce settings. Needs tenant:read. Before it is first set: nulls, no reverse charge, version 0 (ETag "v0").',
        tags,
        operationId: 'getTaxProfile',
        response: { 200: Type.Ref('TaxProfile') },
      },
      config: read,
    },
    async (request, reply) => {
      const profile = await service.profile(request.ctx)
      setEtag(reply, profile.version)
      return profile
    },
  )

  app.put(
    '/v1/commerce/tax/profile',
    {
      schema: {
        summary: "Replace the tenant's tax profile",
        description:
          'Tenant administrators (tenant:manage); refused while impersonating. Requires If-Match (428 without it, 412 when it changed since; "v0" before the first change). sellerCountry is an assigned ISO 3166-1 code (400 UNKNOWN_COUNTRY); an EU seller\'s sellerTaxId must have its country\'s VAT format (422 SELLER_TAX_ID_INVALID); reverseChargeB2B needs a seller in the EU with its VAT number (422 REVERSE_CHARGE_NOT_AVAILABLE). Audited (commerce.tax_profile_changed, with both values); the same values again change nothing.',
        tags,
        operationId: 'replaceTaxProfile',
        body: TaxProfileBody,
        response: { 200: Type.Ref('TaxProfile') },
      },
      config: { ...manage, ifMatch: 'required' },
    },
    async (request, reply) => {
      const profile = await service.replaceProfile(request.ctx, expectedVersion(request) as number, request.body)
      setEtag(reply, profile.version)
      return profile
    },
  )
}

function rateRoutes(app: App, service: TaxService): void {
  app.get(
    '/v1/commerce/tax/rates',
    {
      schema: {
        summary: 'Tax rates',
        description:
          'By place (country, its own rate before its regions), then oldest first. status=live (default) lists the rates in force, retired the replaced and removed ones, all both; country narrows to one country. Needs tenant:read.',
        tags,
        operationId: 'listTaxRates',
        querystring: TaxRateQuery,
        response: { 200: Page(Type.Ref('TaxRate'), 'TaxRatePage') },
      },
      config: read,
    },
    async (request) => service.rates(request.ctx, request.query),
  )

  app.put(
    '/v1/commerce/tax/rates/:place',
    {
      schema: {
        summary: 'Set the tax rate of a country or region',
        description:
          'place is a country ("DE") or an ISO 3166-2 subdivision ("US-NY"; 400 INVALID_REGION when it is not of that country). A buyer pays their region\'s rate when it has one, else their country\'s, never both; a place without a rate is charged no tax. The rate is a decimal from 0 up to 1 with at most 6 places (400 INVALID_TAX_RATE). A change retires the live rate (kept, with when and by whom) and creates the next version; the same name and rate change nothing. If-Match is optional: the place\'s version ("v0" before its first rate), 412 when it changed since. Tenant administrators; audited (commerce.tax_rate_set).',
        tags,
        operationId: 'setTaxRate',
        params: PlaceParams,
        body: TaxRateBody,
        response: { 200: Type.Ref('TaxRate') },
      },
      config: { ...manage, ifMatch: 'optional' },
    },
    async (request, reply) => {
      const result = await service.setRate(request.ctx, request.params.place, request.body, expectedVersion(request))
      setEtag(reply, result.rate.version)
      return result.rate
    },
  )

  app.delete(
    '/v1/commerce/tax/rates/:place',
    {
      schema: {
        summary: 'Remove the tax rate of a country or region',
        description:
          "Retires the place's live rate (kept in the history); 404 TAX_RATE_NOT_FOUND without one. Buyers of a removed region pay their country's rate, buyers of a removed country none. If-Match optional, as for setting it. Tenant administrators; audited (commerce.tax_rate_removed).",
        tags,
        operationId: 'removeTaxRate',
        params: PlaceParams,
        response: { 204: Type.Null() },
      },
      config: { ...manage, ifMatch: 'optional' },
    },
    async (request, reply) => {
      await service.removeRate(request.ctx, request.params.place, expectedVersion(request))
      return reply.code(204).send(null)
    },
  )
}

export function taxRoutes(app: App, service: TaxService): void {
  profileRoutes(app, service)
  rateRoutes(app, service)
}
