/**
 * Community events (docs/communities.md, "Events"): an event of a community with its organiser's
 * time zone, a capacity and an optional price; RSVPs with a waitlist in arrival order; calendar
 * feed tokens. In the community schema, owned by this folder.
 *
 * Seats are decided with the event's row locked (events.service.ts): the RSVP count and the next
 * waitlist position are read and written under that lock, so concurrent RSVPs never over-admit and
 * the waitlist keeps the order in which callers took the lock.
 */
import { sql } from 'drizzle-orm'
import { bigint, check, index, integer, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../../platform/db/tenant-table.ts'
import { tenants } from '../../tenancy/index.ts'
import { communities, communitySchema } from '../community.tables.ts'

const at = (name: string) => timestamp(name, { withTimezone: true })

export const EVENT_STATUSES = ['scheduled', 'cancelled'] as const
/**
 * going: holds a seat; offered: a seat held for payment until offer_expires_at (paid events);
 * waitlisted: waits in position order; not_going: declined or gave the seat up; expired: an offer
 * ran out unpaid (the seat went to the next).
 */
export const RSVP_STATES = ['going', 'offered', 'waitlisted', 'not_going', 'expired'] as const
export type RsvpState = (typeof RSVP_STATES)[number]

export const communityEvents = communitySchema
  .table(
    'events',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      communityId: uuid('community_id')
        .notNull()
        .references(() => communities.id),
      title: text('title').notNull(),
      description: text('description').notNull().default(''),
      startsAt: at('starts_at').notNull(),
      endsAt: at('ends_at').notNull(),
      /** The organiser's IANA zone: how the event is shown (startsAtLocal); ICS carries UTC instants. */
      timeZone: text('time_zone').notNull(),
      location: text('location'),
      onlineUrl: text('online_url'),
      /** Seats; null is unlimited. */
      capacity: integer('capacity'),
      /** A paid event's price in minor units of price_currency (both or neither). */
      priceAmount: bigint('price_amount', { mode: 'number' }),
      priceCurrency: text('price_currency'),
      status: text('status', { enum: EVENT_STATUSES }).notNull().default('scheduled'),
      /** iCalendar SEQUENCE: bumped by every change a calendar must pick up. */
      sequence: integer('sequence').notNull().default(0),
      /** The last waitlist position handed out (arrival order under the row lock). */
      lastPosition: bigint('last_position', { mode: 'number' }).notNull().default(0),
      /** The start a reminder was already published for (idempotent reminder jobs). */
      reminded24hFor: at('reminded_24h_for'),
      reminded1hFor: at('reminded_1h_for'),
      createdBy: uuid('created_by').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
      updatedAt: at('updated_at').notNull().defaultNow(),
      cancelledAt: at('cancelled_at'),
      version: integer('version').notNull().default(1),
    },
    (t) => [
      index('events_community_start_idx').on(t.tenantId, t.communityId, t.startsAt, t.id),
      check('events_ends_after_start', sql`${t.endsAt} > ${t.startsAt}`),
      check('events_capacity_positive', sql`${t.capacity} IS NULL OR ${t.capacity} > 0`),
      check(
        'events_price_complete',
        sql`(${t.priceAmount} IS NULL) = (${t.priceCurrency} IS NULL) AND (${t.priceAmount} IS NULL OR ${t.priceAmount} > 0)`,
      ),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const eventRsvps = communitySchema
  .table(
    'event_rsvps',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      eventId: uuid('event_id')
        .notNull()
        .references(() => communityEvents.id),
      userId: uuid('user_id').notNull(),
      state: text('state', { enum: RSVP_STATES }).notNull(),
      /** Arrival order of the latest "going" answer (the waitlist's order). */
      position: bigint('position', { mode: 'number' }).notNull(),
      offerExpiresAt: at('offer_expires_at'),
      /** The payment that confirmed a paid seat (the caller's reference, e.g. an order id). */
      paymentRef: text('payment_ref'),
      createdAt: at('created_at').notNull().defaultNow(),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      uniqueIndex('event_rsvps_user_key').on(t.tenantId, t.eventId, t.userId),
      index('event_rsvps_queue_idx').on(t.tenantId, t.eventId, t.state, t.position),
      index('event_rsvps_offers_idx')
        .on(t.offerExpiresAt)
        .where(sql`${t.state} = 'offered'`),
      check('event_rsvps_offer_expiry', sql`(${t.state} = 'offered') = (${t.offerExpiresAt} IS NOT NULL)`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/**
 * Calendar apps cannot send a bearer token, so a member's feed URL carries a random token; only
 * its SHA-256 is stored. One live token per member and community; issuing a new one revokes it.
 */
export const calendarFeedTokens = communitySchema
  .table(
    'calendar_feed_tokens',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      communityId: uuid('community_id')
        .notNull()
        .references(() => communities.id),
      userId: uuid('user_id').notNull(),
      tokenHash: text('token_hash').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
      revokedAt: at('revoked_at'),
    },
    (t) => [
      uniqueIndex('calendar_feed_tokens_hash_key').on(t.tokenHash),
      uniqueIndex('calendar_feed_tokens_live_key')
        .on(t.tenantId, t.communityId, t.userId)
        .where(sql`${t.revokedAt} IS NULL`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export type CommunityEventRow = typeof communityEvents.$inferSelect
export type EventRsvpRow = typeof eventRsvps.$inferSelect
