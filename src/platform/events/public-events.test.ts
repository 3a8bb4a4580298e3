import { Type } from 'typebox'
import { describe, expect, it } from 'vitest'
import { Nullable, PublicId, PublicInstant } from './public-event-schemas.ts'
import { createPublicEventCatalogue, definePublicEvent, projectOnto, resourceBy } from './public-events.ts'

const ID = '279718f9-8d79-4d15-bbba-12a420a7b953'
const AT = '2026-11-02T09:14:05.112Z'

const thing = (type: string, example: Record<string, unknown> = { thingId: ID, at: AT }) =>
  definePublicEvent({
    type,
    summary: 'A thing happened.',
    schema: Type.Object({ thingId: PublicId(), at: PublicInstant() }),
    example,
    resourceOf: resourceBy('thing', 'thingId'),
  })

describe('the public event catalogue', () => {
  it('lists its definitions sorted by type and finds one by type', () => {
    const catalogue = createPublicEventCatalogue([thing('zeta.happened'), thing('alpha.happened')])
    expect(catalogue.list().map((definition) => definition.type)).toEqual(['alpha.happened', 'zeta.happened'])
    expect(catalogue.get('zeta.happened')?.version).toBe(1)
    expect(catalogue.get('beta.happened')).toBeUndefined()
  })

  it('refuses a type declared twice', () => {
    expect(() => createPublicEventCatalogue([thing('a.happened'), thing('a.happened')])).toThrow(
      'public event a.happened is declared twice',
    )
  })

  it('refuses an example that does not satisfy its schema, formats included', () => {
    const refused = /the example of public event a\.happened does not satisfy its schema/
    expect(() => createPublicEventCatalogue([thing('a.happened', { thingId: 'course-1', at: AT })])).toThrow(refused)
    expect(() => createPublicEventCatalogue([thing('a.happened', { thingId: ID, at: 'yesterday' })])).toThrow(refused)
    expect(() => createPublicEventCatalogue([thing('a.happened', { thingId: ID })])).toThrow(refused)
  })
})

describe('projectOnto', () => {
  const schema = Type.Object({
    orderId: PublicId(),
    lines: Type.Array(Type.Object({ productId: PublicId(), gross: Type.Integer() })),
    billing: Nullable(Type.Object({ country: Type.String() })),
    note: Type.Optional(Type.String()),
  })

  it('keeps only the schema’s fields, in nested objects and arrays too', () => {
    const payload = {
      orderId: ID,
      buyerEmail: 'ada@example.org',
      lines: [{ productId: ID, gross: 1000, title: 'Analytical Engines' }],
      billing: { country: 'DE', vatId: 'DE123456789' },
    }
    expect(projectOnto(schema, payload)).toEqual({
      orderId: ID,
      lines: [{ productId: ID, gross: 1000 }],
      billing: { country: 'DE' },
    })
    expect(projectOnto(schema, { ...payload, billing: null })).toMatchObject({ billing: null })
  })

  it('is the default projection of a definition', () => {
    const definition = thing('a.happened')
    expect(definition.toPublic({ thingId: ID, at: AT, secret: 's3cr3t' })).toEqual({ thingId: ID, at: AT })
  })

  it('projects a union onto the variant the value fits, not the first object variant', () => {
    const grant = Type.Union([
      Type.Object({ kind: Type.Literal('course'), courseId: PublicId() }),
      Type.Object({ kind: Type.Literal('path'), pathId: PublicId() }),
    ])
    expect(projectOnto(grant, { kind: 'path', pathId: ID, price: 12 })).toEqual({ kind: 'path', pathId: ID })
    expect(projectOnto(grant, { kind: 'bundle', bundleId: ID })).toBeUndefined()
  })

  it('refuses to send a payload whose fields do not have their published types, instead of passing them through', () => {
    const definition = thing('a.happened')
    const leaky = { thingId: { id: ID, ownerEmail: 'ada@example.org' }, at: AT }
    expect(() => definition.toPublic(leaky)).toThrow(
      'the payload of public event a.happened does not satisfy its schema',
    )
    const custom = definePublicEvent({
      type: 'b.happened',
      summary: 'B happened.',
      schema: Type.Object({ thingId: PublicId() }),
      example: { thingId: ID },
      toPublic: (payload) => ({ thingId: String(payload.name) }),
      resourceOf: resourceBy('thing', 'thingId'),
    })
    expect(() => custom.toPublic({ name: 'not an id' })).toThrow('the payload of public event b.happened')
  })
})

describe('resourceBy', () => {
  it('names the resource by its ids and refuses a payload without them', () => {
    expect(resourceBy('course', 'courseId')({ courseId: ID })).toBe(`course:${ID}`)
    expect(resourceBy('community_member', 'communityId', 'userId')({ communityId: 'c', userId: 'u' })).toBe(
      'community_member:c/u',
    )
    expect(() => resourceBy('course', 'courseId')({})).toThrow('a course event payload has no courseId')
  })
})
