/**
 * The public event catalogue: the domain event types that partner systems receive through
 * outgoing webhooks and read about at the event-type endpoint. A domain event is internal until a
 * module declares it here, with the JSON Schema of its public payload, an example and a version.
 * The public payload is a projection of the domain payload (`toPublic`): ids and facts, never
 * secrets or message bodies, so a domain payload can grow without leaking what it adds.
 * Each module declares its own definitions next to its events (`<module>.events.ts`); app.ts
 * gathers them into one catalogue.
 */
import type { TSchema } from 'typebox'
import { Value } from 'typebox/value'

export interface PublicEventDefinition<P extends Record<string, unknown> = Record<string, unknown>> {
  /** The domain event type, e.g. `catalogue.course_published`. */
  type: string
  /** The public payload's version; a breaking change to it gets a new version (fields are only ever added). */
  version: number
  /** One sentence for the catalogue and the docs: what happened. */
  summary: string
  /** JSON Schema of the public payload. */
  schema: TSchema
  /** A payload that satisfies `schema`, for the catalogue and the docs. */
  example: P
  /** The public payload of a domain event of this type: a projection, never the domain payload as it is. */
  toPublic(payload: Record<string, unknown>): P
  /**
   * The resource the event is about, e.g. `course:<id>`: events of one resource carry increasing
   * sequence numbers, so a receiver can order them.
   */
  resourceOf(payload: Record<string, unknown>): string
}

export interface PublicEventCatalogue {
  get(type: string): PublicEventDefinition | undefined
  /** Every definition, sorted by type. */
  list(): readonly PublicEventDefinition[]
}

/** Builds the catalogue; refuses duplicates and examples that do not satisfy their own schema. */
export function createPublicEventCatalogue(definitions: Iterable<PublicEventDefinition>): PublicEventCatalogue {
  const byType = new Map<string, PublicEventDefinition>()
  for (const definition of definitions) {
    if (byType.has(definition.type)) throw new Error(`public event ${definition.type} is declared twice`)
    if (!Value.Check(definition.schema, definition.example)) {
      throw new Error(`the example of public event ${definition.type} does not satisfy its schema`)
    }
    byType.set(definition.type, definition)
  }
  const sorted = [...byType.values()].sort((a, b) => a.type.localeCompare(b.type))
  return { get: (type) => byType.get(type), list: () => sorted }
}

/**
 * The public payload of `payload` under `schema`: the schema's properties only, nested objects
 * and arrays of objects projected the same way. What a domain payload adds later stays out of
 * the public one until its definition names it.
 */
export function projectOnto(schema: TSchema, value: unknown): unknown {
  const shape = schema as { type?: unknown; properties?: Record<string, TSchema>; items?: TSchema; anyOf?: TSchema[] }
  if (value === null || value === undefined) return value
  if (shape.anyOf) {
    // The first variant the projected value satisfies; a value no variant takes is left for the
    // caller's check to refuse (definePublicEvent), never passed through unprojected as a guess.
    for (const variant of shape.anyOf) {
      const projected = projectOnto(variant, value)
      if (Value.Check(variant, projected)) return projected
    }
    return undefined
  }
  if (shape.type === 'array' && shape.items && Array.isArray(value))
    return value.map((item: unknown) => projectOnto(shape.items as TSchema, item))
  if (shape.type === 'object' && shape.properties && typeof value === 'object' && !Array.isArray(value)) {
    const source = value as Record<string, unknown>
    const projected: Record<string, unknown> = {}
    for (const [key, property] of Object.entries(shape.properties))
      if (source[key] !== undefined) projected[key] = projectOnto(property, source[key])
    return projected
  }
  return value
}

/** `kind:<id>` from the payload's `field`; a payload without it is a publisher bug. */
export function resourceBy(kind: string, ...fields: [string, ...string[]]) {
  return (payload: Record<string, unknown>): string => {
    const ids = fields.map((field) => {
      const id = payload[field]
      if (typeof id !== 'string' || id === '') throw new Error(`a ${kind} event payload has no ${field}`)
      return id
    })
    return `${kind}:${ids.join('/')}`
  }
}

export interface PublicEventInput<P extends Record<string, unknown>> {
  type: string
  /** 1 unless a breaking change made a new version. */
  version?: number
  summary: string
  schema: TSchema
  example: P
  /** The default projects the domain payload onto `schema` (projectOnto). */
  toPublic?: (payload: Record<string, unknown>) => P
  resourceOf: (payload: Record<string, unknown>) => string
}

/** A definition whose public payload is, unless `toPublic` says otherwise, the domain payload projected onto its schema. */
export function definePublicEvent<P extends Record<string, unknown>>(
  input: PublicEventInput<P>,
): PublicEventDefinition {
  const { schema } = input
  return {
    type: input.type,
    version: input.version ?? 1,
    summary: input.summary,
    schema,
    example: input.example,
    toPublic: (payload) => {
      const projected = input.toPublic ? input.toPublic(payload) : projectOnto(schema, payload)
      // A payload that does not fit its published schema (a publisher's type mismatch) is not sent:
      // the fan-out fails visibly rather than letting an unprojected value through.
      if (!Value.Check(schema, projected))
        throw new Error(`the payload of public event ${input.type} does not satisfy its schema`)
      return projected as P
    },
    resourceOf: input.resourceOf,
  }
}
