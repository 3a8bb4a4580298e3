import { Type, type Static } from 'typebox'
import { PageQuery } from '../http/pagination.ts'

const Text = (description: string) => Type.String({ minLength: 1, maxLength: 200, description })
const Instant = (description: string) => Type.String({ format: 'date-time', description })

export const AuditEvent = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    occurredAt: Type.String({
      format: 'date-time',
      description: 'RFC 3339 with the microseconds the database recorded',
    }),
    actorType: Type.String({ description: 'user, operator or anonymous' }),
    actorId: Type.String(),
    impersonatorId: Type.Union([Type.String(), Type.Null()]),
    action: Type.String({ description: 'What happened, e.g. flag.overridden' }),
    targetType: Type.String(),
    targetId: Type.String(),
    outcome: Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')]),
    requestId: Type.Union([Type.String(), Type.Null()], { description: 'Correlates with logs' }),
    details: Type.Record(Type.String(), Type.Unknown(), {
      description: 'Action-specific facts, e.g. old and new values',
    }),
    ipHash: Type.Union([Type.String(), Type.Null()], {
      description: 'Keyed hash (HMAC) of the client IP; equal IPs give equal hashes',
    }),
    chainSeq: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
      description: "Position in the tenant's hash chain; null for entries written before the chain existed",
    }),
    hash: Type.Union([Type.String(), Type.Null()], {
      description:
        'SHA-256 (hex) linking this entry to the previous one of its chain; `lyceum audit verify` recomputes it',
    }),
  },
  { $id: 'AuditEvent', additionalProperties: false },
)
export type AuditEvent = Static<typeof AuditEvent>

const filters = {
  action: Type.Optional(Text('Only this action, e.g. flag.overridden')),
  actorId: Type.Optional(Text('Only entries by this actor (the id without its type)')),
  targetType: Type.Optional(Text('Only entries about this kind of target')),
  targetId: Type.Optional(Text('Only entries about this target (combine with targetType)')),
  from: Type.Optional(Instant('Entries at or after this instant')),
  to: Type.Optional(Instant('Entries strictly before this instant')),
}

export const AuditEventQuery = Type.Object({ ...PageQuery.properties, ...filters }, { additionalProperties: false })
export type AuditEventQuery = Static<typeof AuditEventQuery>

/** The CSV export takes the listing's filters; it streams every matching entry, so no page parameters. */
export const AuditEventCsvQuery = Type.Object(filters, { additionalProperties: false })
export type AuditEventCsvQuery = Static<typeof AuditEventCsvQuery>
