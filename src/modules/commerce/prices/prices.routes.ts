/**
 * Price routes: the price list of a course (its staff and administrators) and of a learning path
 * (holders of paths:manage), and the public catalogue's read of both, cached like the rest of the
 * catalogue (ADR 0017: every price change moves the catalogue's generation).
 */
import { Type } from 'typebox'
import { publicAccess, tenantAccess } from '../../../platform/http/access.ts'
import { expectedVersion, setEtag } from '../../../platform/http/etag.ts'
import { Page } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import {
  CoursePriceParams,
  CourseParams,
  PathParams,
  PathPriceParams,
  PriceHistoryQuery,
  SetPriceBody,
  SlugParams,
} from './prices.schemas.ts'
import type { PricesService, SubjectRef } from './prices.service.ts'
import type { ProductType } from './product-type.ts'

const tags = ['prices']

const RULES =
  "Within the tenant's commerce settings: an allowed currency (422 CURRENCY_NOT_ALLOWED), at least its minimum price (422 PRICE_BELOW_MINIMUM), at most 10^12 minor units. A change keeps the old version in the history (orders keep the version they locked), is audited (commerce.price_set / commerce.price_removed) and is served by the public catalogue at once on every node."
const IF_MATCH =
  'If-Match is optional: send the ETag of your last read ("v0" before the first price) to refuse a change made since (412).'

interface Family {
  type: ProductType
  /** URL prefix with the subject's parameter, e.g. /v1/courses/:courseId */
  base: string
  noun: string
  who: string
  access: ReturnType<typeof tenantAccess>
  params: typeof CourseParams | typeof PathParams
  priceParams: typeof CoursePriceParams | typeof PathPriceParams
  ref(params: Record<string, string>): SubjectRef
  operation: string
}

const FAMILIES: Family[] = [
  {
    type: 'course',
    base: '/v1/courses/:courseId',
    noun: 'course',
    who: "The course's owner and co-instructors, and administrators (courses:manage); anyone else gets 404 COURSE_NOT_FOUND.",
    access: tenantAccess({ allOf: ['courses:author'], peopleOnly: true }),
    params: CourseParams,
    priceParams: CoursePriceParams,
    ref: (params) => ({ type: 'course', subjectId: params.courseId ?? '' }),
    operation: 'Course',
  },
  {
    type: 'learning_path',
    base: '/v1/learning-paths/:id',
    noun: 'learning path (a bundle of its courses)',
    who: 'Holders of paths:manage.',
    access: tenantAccess({ allOf: ['paths:manage'], peopleOnly: true }),
    params: PathParams,
    priceParams: PathPriceParams,
    ref: (params) => ({ type: 'learning_path', subjectId: params.id ?? '' }),
    operation: 'LearningPath',
  },
]

function staffRoutes(app: App, service: PricesService, family: Family): void {
  const { base, noun, who, access, operation } = family
  const params = (request: { params: unknown }) => family.ref(request.params as Record<string, string>)

  app.get(
    `${base}/prices`,
    {
      schema: {
        summary: `The current prices of a ${noun}`,
        description: `One current price per currency, with the product id checkout sells it under. ${who} The ETag is the price list's revision.`,
        tags,
        operationId: `list${operation}Prices`,
        params: family.params,
        response: { 200: Type.Ref('ProductPrices') },
      },
      config: { access },
    },
    async (request, reply) => {
      const prices = await service.list(request.ctx, params(request))
      setEtag(reply, prices.revision)
      return prices
    },
  )

  app.put(
    `${base}/prices/:currency`,
    {
      schema: {
        summary: `Set the price of a ${noun} in a currency`,
        description: `A new price version when the amount differs from the current one; the same amount changes nothing. ${RULES} ${who} ${IF_MATCH}`,
        tags,
        operationId: `set${operation}Price`,
        params: family.priceParams,
        body: SetPriceBody,
        response: { 200: Type.Ref('PriceVersion') },
      },
      config: { access, ifMatch: 'optional' },
    },
    async (request, reply) => {
      const { currency } = request.params as { currency: string }
      const result = await service.set(request.ctx, params(request), {
        currency,
        amount: request.body.amount,
        expected: expectedVersion(request),
      })
      setEtag(reply, result.revision)
      return result.version
    },
  )

  app.delete(
    `${base}/prices/:currency`,
    {
      schema: {
        summary: `Remove the price of a ${noun} in a currency`,
        description: `Ends the current version (kept in the history); 404 PRICE_NOT_FOUND without one. A course left without any price is free again. ${who} ${IF_MATCH}`,
        tags,
        operationId: `remove${operation}Price`,
        params: family.priceParams,
        response: { 204: Type.Null() },
      },
      config: { access, ifMatch: 'optional' },
    },
    async (request, reply) => {
      const { currency } = request.params as { currency: string }
      await service.remove(request.ctx, params(request), currency, expectedVersion(request))
      return reply.code(204).send(null)
    },
  )
}

function historyRoute(app: App, service: PricesService, family: Family): void {
  const { base, noun, who, access, operation } = family
  app.get(
    `${base}/prices/history`,
    {
      schema: {
        summary: `Every price version of a ${noun}, newest first`,
        description: `Current and replaced or removed versions, optionally of one currency. ${who}`,
        tags,
        operationId: `list${operation}PriceHistory`,
        params: family.params,
        querystring: PriceHistoryQuery,
        response: { 200: Page(Type.Ref('PriceVersion'), `${operation}PriceVersionPage`) },
      },
      config: { access },
    },
    async (request) =>
      service.history(request.ctx, family.ref(request.params as Record<string, string>), request.query),
  )
}

function publicRoutes(app: App, service: PricesService): void {
  const catalogue = [
    { url: '/v1/catalogue/courses/:slug/prices', type: 'course' as const, what: 'published course', id: 'Course' },
    {
      url: '/v1/catalogue/paths/:slug/prices',
      type: 'learning_path' as const,
      what: 'published learning path',
      id: 'Path',
    },
  ]
  for (const { url, type, what, id } of catalogue)
    app.get(
      url,
      {
        schema: {
          summary: `The prices of a ${what}`,
          description:
            'One current price per currency, and whether they include tax; free when there is none. Checkout sells in any currency of the tenant: one without a price here is converted from the base-currency price. Not in the catalogue: 404.',
          tags: ['catalogue'],
          operationId: `getCatalogue${id}Prices`,
          params: SlugParams,
          response: { 200: Type.Ref('CataloguePrices') },
        },
        config: { access: publicAccess('required'), responseCache: { tag: 'catalogue' } },
      },
      async (request) => service.catalogue(request.ctx, type, request.params.slug),
    )
}

export function pricesRoutes(app: App, service: PricesService): void {
  for (const family of FAMILIES) {
    staffRoutes(app, service, family)
    historyRoute(app, service, family)
  }
  publicRoutes(app, service)
}
