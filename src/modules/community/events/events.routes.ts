/** Community event, RSVP and calendar HTTP routes: schema → service → reply. */
import { Type } from 'typebox'
import { publicAccess, tenantAccess } from '../../../platform/http/access.ts'
import { expectedVersion, setEtag } from '../../../platform/http/etag.ts'
import type { App } from '../../../platform/http/server.ts'
import { NOT_FOUND, ROLE_RULE } from '../communities.routes.ts'
import { CommunityParams } from '../community.schemas.ts'
import { CALENDAR_CONTENT_TYPE, type CalendarService } from './calendar.ts'
import type { EventsService } from './events.service.ts'
import {
  AttendeeListQuery,
  CalendarFeed,
  CreateEventBody,
  EventListQuery,
  EventParams,
  RsvpBody,
  UpdateEventBody,
} from './events.schemas.ts'

const tags = ['community events']
const access = { access: tenantAccess() }
const EVENT_404 = `${NOT_FOUND} An unknown event is 404 EVENT_NOT_FOUND.`
const CURSOR = 'A cursor this API did not issue is 400 INVALID_CURSOR.'
const ICS = {
  description: 'An iCalendar document (RFC 5545)',
  content: { 'text/calendar': { schema: Type.String() } },
}

export function eventRoutes(app: App, service: EventsService, calendar: CalendarService) {
  const EventRef = Type.Ref('CommunityEvent')
  const base = '/v1/communities/:communityId/events'

  app.post(
    base,
    {
      schema: {
        summary: 'Create an event',
        description: `events:manage (owner, admins, custom roles holding it). startsAt/endsAt are instants (at most 31 days apart, endsAt after startsAt: 400 INVALID_EVENT_SCHEDULE); timeZone is the organiser's IANA zone (400 INVALID_TIME_ZONE). capacity null is unlimited. price (minor units, ISO 4217 currency: 400 UNKNOWN_CURRENCY) makes seats held for payment. Reminders are scheduled 24 h and 1 h before the start. ${ROLE_RULE} Audited.`,
        tags,
        operationId: 'createCommunityEvent',
        params: CommunityParams,
        body: CreateEventBody,
        response: { 201: EventRef },
      },
      config: access,
    },
    async (request, reply) =>
      reply.code(201).send(await service.create(request.ctx, request.params.communityId, request.body)),
  )

  app.get(
    base,
    {
      schema: {
        summary: 'List events',
        description: `Soonest first, with seat counts and your RSVP; upcoming=false includes events that ended. ${NOT_FOUND} ${CURSOR}`,
        tags,
        operationId: 'listCommunityEvents',
        params: CommunityParams,
        querystring: EventListQuery,
        response: { 200: Type.Ref('CommunityEventPage') },
      },
      config: access,
    },
    async (request) => service.list(request.ctx, request.params.communityId, request.query),
  )

  app.get(
    `${base}/:eventId`,
    {
      schema: {
        summary: 'Read an event',
        description: `With seat counts, your RSVP and an ETag. ${EVENT_404}`,
        tags,
        operationId: 'getCommunityEvent',
        params: EventParams,
        response: { 200: EventRef },
      },
      config: access,
    },
    async (request, reply) => {
      const event = await service.get(request.ctx, request.params.communityId, request.params.eventId)
      setEtag(reply, event.version)
      return event
    },
  )

  app.patch(
    `${base}/:eventId`,
    {
      schema: {
        summary: 'Update an event',
        description: `events:manage. Every edit bumps the calendar SEQUENCE; a new start reschedules the reminders (those of the old start send nothing); a raised capacity gives the new seats to the waitlist in order. A cancelled event is 409 EVENT_CANCELLED. ${ROLE_RULE} Audited.`,
        tags,
        operationId: 'updateCommunityEvent',
        params: EventParams,
        body: UpdateEventBody,
        response: { 200: EventRef },
      },
      config: { ...access, ifMatch: 'optional' },
    },
    async (request, reply) => {
      const { communityId, eventId } = request.params
      const event = await service.update(request.ctx, communityId, eventId, request.body, expectedVersion(request))
      setEtag(reply, event.version)
      return event
    },
  )

  app.delete(
    `${base}/:eventId`,
    {
      schema: {
        summary: 'Cancel an event',
        description: `events:manage. The event stays, with status cancelled (STATUS:CANCELLED in calendars); it takes no RSVPs and sends no reminders. ${ROLE_RULE} Audited.`,
        tags,
        operationId: 'cancelCommunityEvent',
        params: EventParams,
        response: { 204: Type.Null({ description: 'Cancelled' }) },
      },
      config: access,
    },
    async (request, reply) => {
      await service.cancel(request.ctx, request.params.communityId, request.params.eventId)
      return reply.status(204).send(null)
    },
  )

  app.put(
    `${base}/:eventId/rsvp`,
    {
      schema: {
        summary: 'Answer an event',
        description: `going takes a free seat, or a place at the end of the waitlist (waitlistAhead says how many wait before you); on a paid event a seat is held for payment (state offered, until offerExpiresAt) and confirmed when the payment is recorded. Answering going again keeps your place. not_going gives your seat to the first waitlisted member. Only active members answer going (403 COMMUNITY_MEMBER_BANNED, 403 EVENT_MEMBERS_ONLY); a cancelled or ended event is 409. ${EVENT_404}`,
        tags,
        operationId: 'answerCommunityEvent',
        params: EventParams,
        body: RsvpBody,
        response: { 200: Type.Ref('EventRsvp') },
      },
      config: access,
    },
    async (request) =>
      service.respond(request.ctx, request.params.communityId, request.params.eventId, request.body.response),
  )

  app.get(
    `${base}/:eventId/attendees`,
    {
      schema: {
        summary: 'List attendees',
        description: `Going, held and waitlisted answers in arrival order (state filters). ${EVENT_404} ${CURSOR}`,
        tags,
        operationId: 'listCommunityEventAttendees',
        params: EventParams,
        querystring: AttendeeListQuery,
        response: { 200: Type.Ref('EventAttendeePage') },
      },
      config: access,
    },
    async (request) =>
      service.attendees(request.ctx, request.params.communityId, request.params.eventId, request.query),
  )

  app.get(
    `${base}/:eventId/calendar.ics`,
    {
      schema: {
        summary: 'One event as iCalendar',
        description: `text/calendar; UID stable per event, SEQUENCE bumped by edits, times in UTC, STATUS:CANCELLED once cancelled. ${EVENT_404}`,
        tags,
        operationId: 'getCommunityEventIcs',
        params: EventParams,
        response: { 200: ICS },
      },
      config: access,
    },
    async (request, reply) =>
      reply
        .type(CALENDAR_CONTENT_TYPE)
        .header('cache-control', 'private, no-store')
        .send(await calendar.event(request.ctx, request.params.communityId, request.params.eventId)),
  )

  app.get(
    '/v1/communities/:communityId/calendar.ics',
    {
      schema: {
        summary: "The community's events as iCalendar",
        description: `Upcoming events and those of the last 30 days, cancelled ones with STATUS:CANCELLED. For calendar apps use the feed URL of POST .../calendar-feed. ${NOT_FOUND}`,
        tags,
        operationId: 'getCommunityCalendarIcs',
        params: CommunityParams,
        response: { 200: ICS },
      },
      config: access,
    },
    async (request, reply) =>
      reply
        .type(CALENDAR_CONTENT_TYPE)
        .header('cache-control', 'private, no-store')
        .send(await calendar.community(request.ctx, request.params.communityId)),
  )

  app.post(
    '/v1/communities/:communityId/calendar-feed',
    {
      schema: {
        summary: 'Issue your calendar feed URL',
        description: `A secret URL (/v1/calendar/{token}.ics on this tenant's host) that calendar apps subscribe to without signing in. The token is shown only now; issuing again revokes the previous one. The feed answers 404 once revoked or once you no longer see the community. ${NOT_FOUND}`,
        tags,
        operationId: 'issueCommunityCalendarFeed',
        params: CommunityParams,
        response: { 201: CalendarFeed },
      },
      config: access,
    },
    async (request, reply) => reply.code(201).send(await calendar.issue(request.ctx, request.params.communityId)),
  )

  app.delete(
    '/v1/communities/:communityId/calendar-feed',
    {
      schema: {
        summary: 'Revoke your calendar feed URL',
        description: `The feed answers 404 from now on. No live feed is 404 CALENDAR_FEED_NOT_FOUND. ${NOT_FOUND}`,
        tags,
        operationId: 'revokeCommunityCalendarFeed',
        params: CommunityParams,
        response: { 204: Type.Null({ description: 'Revoked' }) },
      },
      config: access,
    },
    async (request, reply) => {
      await calendar.revoke(request.ctx, request.params.communityId)
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/v1/calendar/:token',
    {
      schema: {
        summary: 'A calendar feed',
        description:
          "The community's events for the feed token's owner (on the tenant's host, no sign-in: the token is the credential; the path may end in .ics). An unknown or revoked token, or one whose owner no longer sees the community, is 404 CALENDAR_FEED_NOT_FOUND.",
        tags,
        operationId: 'getCalendarFeed',
        params: Type.Object({
          token: Type.String({ minLength: 43, maxLength: 47, pattern: '^[A-Za-z0-9_-]{43}(\\.ics)?$' }),
        }),
        response: { 200: ICS },
      },
      config: { access: publicAccess('required') },
    },
    async (request, reply) =>
      reply
        .type(CALENDAR_CONTENT_TYPE)
        .header('cache-control', 'private, no-store')
        .send(await calendar.feed(request.ctx, request.params.token.replace(/\.ics$/, ''))),
  )
}
