/**
 * Enrolment's public events (platform/events/public-events.ts). Their resource is the enrolment,
 * shared with progress's events, so a receiver orders enrolled, lessons, completion and end.
 */
import { Type } from 'typebox'
import { Nullable, PublicId, PublicInstant } from '../../platform/events/public-event-schemas.ts'
import { definePublicEvent, resourceBy } from '../../platform/events/public-events.ts'
import { ENROLMENT_CANCELLED, ENROLMENT_CREATED, ENROLMENT_EXPIRED } from './enrolment.events.ts'
import { ENROLMENT_SOURCES } from './enrolment.tables.ts'

/**
 * What every event about an enrolment carries (progress's events too): its ids, their schemas, an
 * example, and the resource that orders them.
 */
export const enrolmentEventIds = {
  example: {
    enrolmentId: '94feef75-acc9-4544-a44a-0bb3523a142c',
    userId: '0be2051f-39d3-462e-aae4-dff5d00a8e5a',
    courseId: '279718f9-8d79-4d15-bbba-12a420a7b953',
  },
  schema: { enrolmentId: PublicId(), userId: PublicId('The learner'), courseId: PublicId() },
  resourceOf: resourceBy('enrolment', 'enrolmentId'),
}
const { example: ids, schema: Ids, resourceOf: enrolment } = enrolmentEventIds

export const enrolmentPublicEvents = [
  definePublicEvent({
    type: ENROLMENT_CREATED,
    summary: 'A learner gained access to a course: a new enrolment, or an ended one made active again.',
    schema: Type.Object({
      ...Ids,
      source: Type.Enum([...ENROLMENT_SOURCES], { description: 'How the learner came to be enrolled' }),
      enrolledAt: PublicInstant(),
      expiresAt: Nullable(PublicInstant('When access ends; null: it does not')),
    }),
    example: {
      ...ids,
      source: 'purchase',
      enrolledAt: '2026-11-02T09:14:05.112Z',
      expiresAt: '2027-11-02T09:14:05.112Z',
    },
    resourceOf: enrolment,
  }),
  definePublicEvent({
    type: ENROLMENT_EXPIRED,
    summary: 'An enrolment’s access ended because its expiry date passed.',
    schema: Type.Object({ ...Ids, expiresAt: PublicInstant() }),
    example: { ...ids, expiresAt: '2027-11-02T09:14:05.112Z' },
    resourceOf: enrolment,
  }),
  definePublicEvent({
    type: ENROLMENT_CANCELLED,
    summary: 'An enrolment’s access ended early: the school cancelled it, or a refund or lost dispute revoked it.',
    schema: Type.Object({
      ...Ids,
      reason: Type.Enum(['staff', 'revoked'], {
        description: '`staff`: cancelled by the school; `revoked`: every grant behind it was revoked (refund, dispute)',
      }),
      endedAt: PublicInstant(),
    }),
    example: { ...ids, reason: 'staff', endedAt: '2026-12-01T16:40:00.000Z' },
    resourceOf: enrolment,
  }),
]
