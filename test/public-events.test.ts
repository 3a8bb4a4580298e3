/**
 * The public event catalogue as app.ts gathers it, and its endpoint. Every definition: version 1,
 * one sentence, an example its schema accepts, a projection that drops whatever a domain payload
 * adds, a resource; no public payload field that names an address, a secret or a body. Then
 * GET /v1/event-types and /v1/event-types/{type}: the whole catalogue, one type, 404 and 400
 * problems, and revalidation with ETag / If-None-Match.
 */
import { randomUUID } from 'node:crypto'
import { Value } from 'typebox/value'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { publicEventCatalogue } from '../src/app.ts'
import { orderPaid, paymentRefunded } from '../src/modules/commerce/invoices/invoices.testing.ts'
import { buildTestApp, type TestApp } from './build-test-app.ts'

const catalogue = publicEventCatalogue()

type Shape = { type?: string; properties?: Record<string, Shape>; items?: Shape; anyOf?: Shape[] }

/** Paths of `value` that `schema` does not declare (objects, arrays and nullable objects walked). */
function undeclared(schema: Shape, value: unknown, at = ''): string[] {
  if (value === null || typeof value !== 'object') return []
  if (schema.anyOf) {
    const objectVariant = schema.anyOf.find((variant) => variant.type === 'object')
    return objectVariant ? undeclared(objectVariant, value, at) : []
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => undeclared(schema.items ?? {}, item, `${at}/${i}`))
  const properties = schema.properties ?? {}
  return Object.entries(value).flatMap(([key, field]) =>
    key in properties ? undeclared(properties[key]!, field, `${at}/${key}`) : [`${at}/${key}`],
  )
}

/** What a domain payload could add beside the public fields, at every level. */
function withInternals(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withInternals)
  if (value === null || typeof value !== 'object') return value
  const copy = Object.fromEntries(Object.entries(value).map(([key, field]) => [key, withInternals(field)]))
  return { ...copy, email: 'ada@example.org', note: 'a message body', token: 'lyk1_secret' }
}

/** Field names a public payload never has: addresses, names, credentials, bodies. */
const FORBIDDEN_FIELDS = /email|password|secret|token|body|text|name|title|vatid|billing|coupon|ip/i

function propertyNames(schema: Shape): string[] {
  const own = Object.entries(schema.properties ?? {}).flatMap(([key, field]) => [key, ...propertyNames(field)])
  return [...own, ...(schema.items ? propertyNames(schema.items) : []), ...(schema.anyOf ?? []).flatMap(propertyNames)]
}

describe('the public event catalogue', () => {
  it('covers identity, learning, commerce and community, and nothing private', () => {
    const types = catalogue.list().map((definition) => definition.type)
    for (const expected of [
      'identity.user_created',
      'identity.user_disabled',
      'identity.user_enabled',
      'identity.role_changed',
      'catalogue.course_published',
      'enrolment.enrolled',
      'progress.course_completed',
      'assessment.submission_graded',
      'credentials.certificate_issued',
      'order.paid',
      'payment.refunded',
      'community.member_joined',
      'community.post_published',
    ])
      expect(types).toContain(expected)
    for (const type of types) expect(type).not.toMatch(/^(chat|social|moderation)\.|reaction|mention|reminder/)
  })

  it.each(catalogue.list().map((definition) => [definition.type, definition] as const))(
    '%s: version 1, one sentence, an example its schema accepts, ids only',
    (_type, definition) => {
      expect(definition.version).toBe(1)
      expect(definition.summary).toMatch(/^[A-Z].{10,200}[.]$/)
      expect(definition.summary.split('. ')).toHaveLength(1)
      expect([...Value.Errors(definition.schema, definition.example)]).toEqual([])
      expect(undeclared(definition.schema as Shape, definition.example)).toEqual([])
      expect(propertyNames(definition.schema as Shape).filter((name) => FORBIDDEN_FIELDS.test(name))).toEqual([])
      expect(definition.resourceOf(definition.example)).toMatch(/^[a-z_]+:[0-9a-f-]{36}(\/[0-9a-f-]{36})?$/)
    },
  )

  it.each(catalogue.list().map((definition) => [definition.type, definition] as const))(
    '%s: toPublic keeps only the schema’s fields of a domain payload with more',
    (_type, definition) => {
      const domain = withInternals(definition.example) as Record<string, unknown>
      const published = definition.toPublic(domain)
      expect(published).toEqual(definition.example)
      expect(undeclared(definition.schema as Shape, published)).toEqual([])
      expect(Value.Check(definition.schema, published)).toBe(true)
    },
  )

  it('projects the real order.paid and payment.refunded payloads: no billing details, titles or reasons', () => {
    const order = orderPaid(randomUUID())
    const paid = catalogue.get('order.paid')!
    const published = paid.toPublic(order as unknown as Record<string, unknown>)
    expect([...Value.Errors(paid.schema, published)]).toEqual([])
    expect(undeclared(paid.schema as Shape, published)).toEqual([])
    expect(published).not.toHaveProperty('billing')
    expect(JSON.stringify(published)).not.toContain(order.lines[0]!.title)
    expect(published).toMatchObject({ orderId: order.orderId, total: order.total, currency: order.currency })

    const refunded = catalogue.get('payment.refunded')!
    const refund = paymentRefunded(order, 500, { reason: 'The learner asked, see ticket 4411' })
    const publicRefund = refunded.toPublic(refund as unknown as Record<string, unknown>)
    expect(Value.Check(refunded.schema, publicRefund)).toBe(true)
    expect(publicRefund).not.toHaveProperty('reason')
    expect(refunded.resourceOf(refund as unknown as Record<string, unknown>)).toBe(`order:${order.orderId}`)
  })
})

describe('GET /v1/event-types', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp()
  })
  afterAll(async () => t?.close())

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers })

  it('lists every public type with its version, summary, schema and example, to anyone, cacheable', async () => {
    const response = await get('/v1/event-types')
    expect(response.statusCode).toBe(200)
    const body = response.json() as { data: Array<Record<string, unknown>>; nextCursor: null }
    expect(body.nextCursor).toBeNull()
    expect(body.data.map((item) => item.type)).toEqual(catalogue.list().map((definition) => definition.type))
    const paid = body.data.find((item) => item.type === 'order.paid')
    expect(paid).toEqual({
      type: 'order.paid',
      version: 1,
      summary: catalogue.get('order.paid')!.summary,
      schema: JSON.parse(JSON.stringify(catalogue.get('order.paid')!.schema)),
      example: catalogue.get('order.paid')!.example,
    })
    expect(response.headers['cache-control']).toMatch(/^public, max-age=\d+/)
    expect(response.headers.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/)
    // The same on a tenant's host: no tenant data is involved.
    const tenant = await t.createTenant()
    const onHost = await get('/v1/event-types', { host: `${tenant.slug}.localhost` })
    expect(onHost.body).toBe(response.body)
    expect(onHost.headers.etag).toBe(response.headers.etag)
  })

  it('serves one type, and 304 when If-None-Match names its ETag', async () => {
    const response = await get('/v1/event-types/enrolment.enrolled')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ type: 'enrolment.enrolled', version: 1 })
    const { etag } = response.headers
    const again = await get('/v1/event-types/enrolment.enrolled', { 'if-none-match': `W/"other", ${String(etag)}` })
    expect(again.statusCode).toBe(304)
    expect(again.body).toBe('')
    expect(again.headers.etag).toBe(etag)
    const list = await get('/v1/event-types')
    expect((await get('/v1/event-types', { 'if-none-match': String(list.headers.etag) })).statusCode).toBe(304)
    expect((await get('/v1/event-types', { 'if-none-match': String(etag) })).statusCode).toBe(200)
  })

  it('answers 404 for a type that is not public, and 400 for a malformed or over-long name', async () => {
    for (const type of ['chat.message_created', 'identity.user_erased']) {
      const response = await get(`/v1/event-types/${type}`)
      expect(response.statusCode, type).toBe(404)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(response.json()).toMatchObject({ status: 404, code: 'EVENT_TYPE_NOT_FOUND' })
    }
    for (const type of ['Order.Paid', 'order', 'order.paid.twice', '%00order.paid', `order.${'p'.repeat(120)}`]) {
      const response = await get(`/v1/event-types/${type}`)
      expect(response.statusCode, type).toBe(400)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    }
  })
})
