/** TypeBox schemas of community events, RSVPs and calendar feeds (type and schema share the name). */
import { Type, type Static } from 'typebox'
import { Page, PageQuery } from '../../../platform/http/pagination.ts'
import { EVENT_STATUSES, RSVP_STATES } from './events.tables.ts'

const Id = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const Enum = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) })

const Title = Type.String({ minLength: 1, maxLength: 200 })
const Description = Type.String({ maxLength: 8000 })
const TimeZone = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z][A-Za-z0-9_+\\-/]*$',
  description: "The organiser's IANA time zone, e.g. Europe/Berlin (unknown zones are 400 INVALID_TIME_ZONE)",
})
const Location = Type.String({ minLength: 1, maxLength: 500 })
const OnlineUrl = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 })
const Capacity = Type.Integer({ minimum: 1, maximum: 100000, description: 'Seats; null is unlimited' })
export const EventMoney = Type.Object(
  {
    amount: Type.Integer({ minimum: 1, maximum: 100_000_000_00, description: 'Minor units of the currency' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' }),
  },
  { additionalProperties: false },
)

export const EventParams = Type.Object({ communityId: Id, eventId: Id })

export const MyRsvp = Type.Object(
  {
    state: Enum(RSVP_STATES),
    /** For the waitlisted: how many wait before you (0: next). */
    waitlistAhead: Nullable(Type.Integer()),
    offerExpiresAt: Nullable(Instant),
  },
  { $id: 'EventRsvp', additionalProperties: false },
)
export type MyRsvp = Static<typeof MyRsvp>

export const CommunityEvent = Type.Object(
  {
    id: Id,
    communityId: Id,
    title: Type.String(),
    description: Type.String(),
    startsAt: Instant,
    endsAt: Instant,
    timeZone: Type.String(),
    startsAtLocal: Type.String({ description: "The start as wall time with offset in the event's zone" }),
    endsAtLocal: Type.String(),
    location: Nullable(Type.String()),
    onlineUrl: Nullable(Type.String()),
    capacity: Nullable(Type.Integer()),
    price: Nullable(EventMoney),
    status: Enum(EVENT_STATUSES),
    going: Type.Integer({ description: 'Seats taken (going, and offers held for payment)' }),
    waitlisted: Type.Integer(),
    sequence: Type.Integer(),
    version: Type.Integer(),
    createdBy: Id,
    createdAt: Instant,
    cancelledAt: Nullable(Instant),
    myRsvp: Nullable(Type.Ref('EventRsvp')),
  },
  { $id: 'CommunityEvent', additionalProperties: false },
)
export type CommunityEvent = Static<typeof CommunityEvent>

export const CreateEventBody = Type.Object(
  {
    title: Title,
    description: Type.Optional(Description),
    startsAt: Instant,
    endsAt: Instant,
    timeZone: TimeZone,
    location: Type.Optional(Nullable(Location)),
    onlineUrl: Type.Optional(Nullable(OnlineUrl)),
    capacity: Type.Optional(Nullable(Capacity)),
    price: Type.Optional(Nullable(EventMoney)),
  },
  { additionalProperties: false },
)
export type CreateEventBody = Static<typeof CreateEventBody>

export const UpdateEventBody = Type.Partial(Type.Omit(CreateEventBody, ['price']), { additionalProperties: false })
export type UpdateEventBody = Static<typeof UpdateEventBody>

export const EventListQuery = Type.Object(
  {
    ...PageQuery.properties,
    upcoming: Type.Optional(Type.Boolean({ description: 'Only events not yet ended (default true)', default: true })),
  },
  { additionalProperties: false },
)
export type EventListQuery = Static<typeof EventListQuery>

export const RsvpBody = Type.Object(
  { response: Enum(['going', 'not_going'] as const) },
  { additionalProperties: false },
)

export const Attendee = Type.Object(
  {
    userId: Id,
    state: Enum(RSVP_STATES),
    position: Type.Integer({ description: 'Arrival order of the going answer' }),
    offerExpiresAt: Nullable(Instant),
  },
  { $id: 'EventAttendee', additionalProperties: false },
)
export type Attendee = Static<typeof Attendee>

export const AttendeeListQuery = Type.Object(
  { ...PageQuery.properties, state: Type.Optional(Enum(RSVP_STATES)) },
  { additionalProperties: false },
)

export const CalendarFeed = Type.Object(
  {
    url: Type.String({ description: 'The feed path on this tenant host; the token is shown only now' }),
    token: Type.String(),
    createdAt: Instant,
  },
  { additionalProperties: false },
)

export const EVENT_SCHEMAS = [
  MyRsvp,
  CommunityEvent,
  Attendee,
  Page(Type.Ref('CommunityEvent'), 'CommunityEventPage'),
  Page(Type.Ref('EventAttendee'), 'EventAttendeePage'),
]
