/**
 * Setting and removing prices (the subject's staff or administrators, within the tenant's
 * settings, audited), their history, and the catalogue's public view of them.
 *
 * A change runs under the product's row lock (price changes of one product serialise), closes
 * the current version and opens the next at the same instant, bumps the product's revision (the
 * price list's ETag), tells the product type (a course's `free` follows), moves the catalogue's
 * cache generation so every node serves the new price (ADR 0017), and writes the audit entry,
 * all in one transaction. Setting the current amount again changes nothing.
 */
import { invalidatePublicCache } from '../../../platform/cache/cache-generations.ts'
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import { commonErrors } from '../../../platform/errors.ts'
import { assertVersion } from '../../../platform/http/etag.ts'
import type { PageResult } from '../../../platform/http/pagination.ts'
import { principalId } from '../../../platform/http/principal.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { parseCurrencyCode } from '../money/index.ts'
import { pricesErrors } from './prices.errors.ts'
import { historyCursor, pricesRepository as repository, type PriceVersionRow } from './prices.repository.ts'
import type { CataloguePrices, PriceHistoryQuery, PriceVersion, ProductPrices } from './prices.schemas.ts'
import type { ProductType } from './product-type.ts'
import { productType, type ProductTypeDefinition } from './product-types.ts'
import { commerceSettingsForPriceChange, DEFAULT_COMMERCE_SETTINGS, minimumPriceIn } from './settings.service.ts'

/** What is priced: a course or a learning path, by its owner module's id. */
export interface SubjectRef {
  type: ProductType
  subjectId: string
}

export const presentVersion = (row: PriceVersionRow): PriceVersion => ({
  id: row.id,
  productId: row.productId,
  price: { amount: row.amount, currency: row.currency },
  version: row.version,
  validFrom: row.validFrom,
  validTo: row.validTo,
  createdBy: row.createdBy,
  endedBy: row.endedBy,
})

function tenantOf(ctx: RequestContext): string {
  if (!ctx.tenantId) throw commonErrors.tenantRequired()
  return ctx.tenantId
}

/** The subject's type, once the caller may price it; 404 otherwise (unknown, another tenant's, or not theirs). */
async function pricedSubject(tx: Tx, ctx: RequestContext, ref: SubjectRef): Promise<ProductTypeDefinition> {
  const definition = productType(ref.type)
  const subject = await definition.subject(tx, ref.subjectId)
  if (!subject || !(await definition.mayPrice(tx, ctx.principal, ref.subjectId)))
    throw definition.notFound(ref.subjectId)
  return definition
}

/** The subject's product locked for this transaction, created first when it has none. */
async function lockedProduct(tx: Tx, tenantId: string, ref: SubjectRef, createdBy: string) {
  const existing = await repository.productOf(tx, ref.type, ref.subjectId)
  if (!existing) await repository.ensureProduct(tx, tenantId, ref.type, ref.subjectId, createdBy)
  const product = existing ?? (await repository.productOf(tx, ref.type, ref.subjectId))
  if (!product) throw new Error(`product of ${ref.type} ${ref.subjectId} missing after its insert`)
  const revision = await repository.lock(tx, product.id)
  if (revision === undefined) throw new Error(`product ${product.id} vanished before its lock`)
  return { id: product.id, revision }
}

export interface SetPriceResult {
  version: PriceVersion
  /** The price list's revision after the call (its ETag). */
  revision: number
  changed: boolean
}

/** After a version closed or opened: the revision, the product type's reaction (free), the catalogue's generation. */
async function afterChange(tx: Tx, tenantId: string, ref: SubjectRef, productId: string, priced: boolean) {
  const revision = await repository.bumpRevision(tx, productId)
  await productType(ref.type).pricesChanged(tx, ref.subjectId, priced)
  await invalidatePublicCache(tx, tenantId, 'catalogue')
  return revision
}

/** The current prices of the subject's product, and its revision (the ETag of the list). */
function listPrices(ctx: RequestContext, ref: SubjectRef): Promise<ProductPrices> {
  return ctx.inTenant(async (tx) => {
    await pricedSubject(tx, ctx, ref)
    const product = await repository.productOf(tx, ref.type, ref.subjectId)
    const prices = product ? await repository.current(tx, product.id) : []
    return {
      productId: product?.id ?? null,
      productType: ref.type,
      subjectId: ref.subjectId,
      revision: product?.revision ?? 0,
      prices: prices.map(presentVersion),
    }
  })
}

export interface SetPriceInput {
  currency: string
  amount: number
  /** The revision from If-Match; undefined when none was sent. */
  expected: number | undefined
}

/** Sets the price in a currency: a new version when the amount differs from the current one. */
function setPrice(ctx: RequestContext, ref: SubjectRef, input: SetPriceInput): Promise<SetPriceResult> {
  const tenantId = tenantOf(ctx)
  const currency = parseCurrencyCode(input.currency, 'params.currency')
  const { amount } = input
  return ctx.inTenant(async (tx) => {
    await pricedSubject(tx, ctx, ref)
    const settings = await commerceSettingsForPriceChange(tx)
    if (!settings.allowedCurrencies.includes(currency))
      throw pricesErrors.currencyNotAllowed(currency, settings.allowedCurrencies)
    const minimum = minimumPriceIn(settings, currency)
    if (amount < minimum) throw pricesErrors.belowMinimum(currency, minimum)
    const who = principalId(ctx.principal)
    const product = await lockedProduct(tx, tenantId, ref, who)
    assertVersion(input.expected, product.revision)
    const current = await repository.currentIn(tx, product.id, currency)
    if (current?.amount === amount)
      return { version: presentVersion(current), revision: product.revision, changed: false }
    const from = current ? await repository.close(tx, current.id, who) : null
    const row = await repository.insert(tx, { tenantId, productId: product.id, currency, amount, from, createdBy: who })
    const revision = await afterChange(tx, tenantId, ref, product.id, true)
    await recordAudit(tx, ctx, {
      action: 'commerce.price_set',
      targetType: 'product',
      targetId: product.id,
      details: {
        productType: ref.type,
        subjectId: ref.subjectId,
        currency,
        from: current?.amount ?? null,
        to: amount,
        priceVersionId: row.id,
        replaces: current?.id ?? null,
      },
    })
    return { version: presentVersion(row), revision, changed: true }
  })
}

/** Ends the current price in a currency (404 PRICE_NOT_FOUND without one); returns the new revision. */
function removePrice(
  ctx: RequestContext,
  ref: SubjectRef,
  currencyCode: string,
  expected: number | undefined,
): Promise<number> {
  const tenantId = tenantOf(ctx)
  const currency = parseCurrencyCode(currencyCode, 'params.currency')
  return ctx.inTenant(async (tx) => {
    await pricedSubject(tx, ctx, ref)
    const product = await repository.productOf(tx, ref.type, ref.subjectId)
    const revision = product && (await repository.lock(tx, product.id))
    assertVersion(expected, revision ?? 0)
    const current = product && (await repository.currentIn(tx, product.id, currency))
    if (!product || !current) throw pricesErrors.priceNotFound(currency)
    await repository.close(tx, current.id, principalId(ctx.principal))
    const next = await afterChange(tx, tenantId, ref, product.id, await repository.anyCurrent(tx, product.id))
    await recordAudit(tx, ctx, {
      action: 'commerce.price_removed',
      targetType: 'product',
      targetId: product.id,
      details: {
        productType: ref.type,
        subjectId: ref.subjectId,
        currency,
        amount: current.amount,
        priceVersionId: current.id,
      },
    })
    return next
  })
}

/** Every version of the subject's prices (one currency or all), newest first. */
async function priceHistory(
  ctx: RequestContext,
  ref: SubjectRef,
  query: PriceHistoryQuery,
): Promise<PageResult<PriceVersion>> {
  const currency = query.currency === undefined ? undefined : parseCurrencyCode(query.currency, 'querystring.currency')
  const after = historyCursor.decode(query.cursor)
  const rows = await ctx.inTenant(async (tx) => {
    await pricedSubject(tx, ctx, ref)
    const product = await repository.productOf(tx, ref.type, ref.subjectId)
    return product ? repository.history(tx, product.id, currency, query.limit, after) : []
  })
  const page = historyCursor.page(rows, query.limit, (row) => [row.validFrom, row.id])
  return { data: page.data.map(presentVersion), nextCursor: page.nextCursor }
}

/**
 * The public catalogue's view: current prices of a listed course or published path, by slug. Two
 * statements (the catalogue's slug lookup, then commerce's own view), like the course detail.
 */
function cataloguePrices(ctx: RequestContext, type: ProductType, slug: string): Promise<CataloguePrices> {
  return ctx.inTenant(
    async (tx) => {
      const definition = productType(type)
      const subjectId = await definition.listedBySlug(tx, slug)
      if (!subjectId) throw definition.notInCatalogue(slug)
      const view = await repository.catalogueView(tx, type, subjectId)
      return {
        productId: view.productId,
        free: view.prices.length === 0,
        pricesIncludeTax: view.pricesIncludeTax ?? DEFAULT_COMMERCE_SETTINGS.pricesIncludeTax,
        prices: view.prices.map((row) => ({
          priceVersionId: row.id,
          price: { amount: row.amount, currency: row.currency },
        })),
      }
    },
    { readOnly: true },
  )
}

export function createPricesService() {
  return {
    list: listPrices,
    set: setPrice,
    remove: removePrice,
    history: priceHistory,
    catalogue: cataloguePrices,
  }
}

export type PricesService = ReturnType<typeof createPricesService>
