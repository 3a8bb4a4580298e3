/**
 * Wiring of community events: the jobs (reminders, expiry of payment holds), the routes, and
 * confirmEventSeatPayment, the function the commerce order flow calls once an event seat is paid.
 */
import type { Logger } from 'pino'
import { tenantScope, type Database, type Tx } from '../../../platform/db/database.ts'
import type { Events } from '../../../platform/events/events.ts'
import type { App } from '../../../platform/http/server.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import type { Jobs } from '../../../platform/jobs/index.ts'
import {
  COMMUNITY_MEMBER_BANNED,
  COMMUNITY_MEMBER_LEFT,
  COMMUNITY_MEMBER_SUSPENDED,
  type MembershipEventBase,
} from '../community.events.ts'
import { createCalendarService } from './calendar.ts'
import { eventRoutes } from './events.routes.ts'
import { EVENT_SCHEMAS } from './events.schemas.ts'
import { createEventsService, presentRsvp } from './events.service.ts'
import { defineReminderJob } from './reminders.ts'
import {
  confirmSeat,
  EXPIRE_SEAT_OFFERS,
  fillSeats,
  lockEvent,
  type ExpireOffersJob,
  type SeatPayment,
  withdrawRsvps,
} from './seats.ts'

export interface EventsDeps {
  database: Database
  events: Events
  jobs: Jobs
  logger: Logger
}

/** The expiry job's work: holds past their end free their seats, which go to the next in line. */
export async function releaseExpiredOffers(deps: EventsDeps, job: ExpireOffersJob): Promise<number> {
  const ctx = systemContext(deps.database, job.tenantId, `job:${EXPIRE_SEAT_OFFERS}`)
  return deps.database.transaction(tenantScope(job.tenantId), async (tx) => {
    const event = await lockEvent(tx, job.eventId).catch(() => undefined)
    return event ? fillSeats(tx, ctx, deps, event) : 0
  })
}

/**
 * A user banned, suspended or gone gives up their seats and places: their live RSVPs in the
 * community's upcoming events are withdrawn and the freed seats go to the next in line, in the
 * subscriber's transaction (withdrawRsvps is idempotent, so a redelivery changes nothing). Until
 * the event is dispatched, fillSeats, confirmSeat and reminders already pass the user over.
 */
function subscribeMembershipEnds(deps: EventsDeps): void {
  const subscribers = [
    [COMMUNITY_MEMBER_BANNED, 'community.event_rsvps_withdrawn_banned'],
    [COMMUNITY_MEMBER_SUSPENDED, 'community.event_rsvps_withdrawn_suspended'],
    [COMMUNITY_MEMBER_LEFT, 'community.event_rsvps_withdrawn_left'],
  ] as const
  for (const [type, name] of subscribers)
    deps.events.subscribe<MembershipEventBase>(type, name, async (event, tx) => {
      if (event.tenantId === null) return
      const ctx = systemContext(deps.database, event.tenantId, `event:${name}`)
      await withdrawRsvps(tx, ctx, deps, event.payload.communityId, event.payload.userId)
    })
}

export function createEventsModule(deps: EventsDeps) {
  defineReminderJob(deps)
  subscribeMembershipEnds(deps)
  deps.jobs.define<ExpireOffersJob>({
    name: EXPIRE_SEAT_OFFERS,
    retryLimit: 5,
    retryDelaySeconds: 30,
    retryDelayMaxSeconds: 600,
    expireInSeconds: 300,
    handler: async (job) => {
      const promoted = await releaseExpiredOffers(deps, job)
      if (promoted > 0) deps.logger.info({ eventId: job.eventId, promoted }, 'event seat offers moved on')
    },
  })
  const service = createEventsService(deps)
  const calendar = createCalendarService()
  return {
    schemas: EVENT_SCHEMAS,
    routes: (app: App) => eventRoutes(app, service, calendar),
    /**
     * Records the payment of a seat held for the member (offered → going), in the caller's
     * transaction (tenant scope). Idempotent per paymentRef; 409 EVENT_SEAT_OFFER_EXPIRED when the
     * hold ran out, EVENT_SEAT_NOT_OFFERED without a hold, EVENT_PRICE_MISMATCH for another amount.
     */
    confirmEventSeatPayment: async (tx: Tx, payment: SeatPayment) => presentRsvp(await confirmSeat(tx, payment), null),
  }
}

export type { SeatPayment }
