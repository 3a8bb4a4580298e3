/**
 * Progress's public events (platform/events/public-events.ts). Their resource is the enrolment,
 * shared with enrolment's events, so a receiver orders them with the enrolment's own.
 */
import { Type } from 'typebox'
import { PublicId, PublicInstant } from '../../platform/events/public-event-schemas.ts'
import { definePublicEvent } from '../../platform/events/public-events.ts'
import { enrolmentEventIds } from '../enrolment/index.ts'
import { PROGRESS_COURSE_COMPLETED, PROGRESS_LESSON_COMPLETED } from './progress.events.ts'

const { example: ids, schema: Ids, resourceOf: enrolment } = enrolmentEventIds

export const progressPublicEvents = [
  definePublicEvent({
    type: PROGRESS_LESSON_COMPLETED,
    summary: 'A learner completed a lesson for the first time (repeats publish nothing).',
    schema: Type.Object({ ...Ids, lessonId: PublicId(), completedAt: PublicInstant() }),
    example: { ...ids, lessonId: '3e2ae264-eb4a-40de-a59c-ea805e4513f1', completedAt: '2026-11-20T18:02:44.530Z' },
    resourceOf: enrolment,
  }),
  definePublicEvent({
    type: PROGRESS_COURSE_COMPLETED,
    summary: 'A learner completed every lesson of the course version they take (graded lessons once passed).',
    schema: Type.Object({
      ...Ids,
      versionId: PublicId('The published course version completed'),
      completedAt: PublicInstant(),
    }),
    example: { ...ids, versionId: '4e8b8915-0822-4706-b734-2f4c0d0420d7', completedAt: '2026-11-28T10:31:09.004Z' },
    resourceOf: enrolment,
  }),
]
