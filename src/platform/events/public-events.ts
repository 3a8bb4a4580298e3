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
