/** The catalogue's public events (platform/events/public-events.ts): what partner systems receive. */
import { Type } from 'typebox'
import { PublicId } from '../../platform/events/public-event-schemas.ts'
import { definePublicEvent, resourceBy } from '../../platform/events/public-events.ts'
import { COURSE_ARCHIVED, COURSE_PUBLISHED } from './catalogue.events.ts'

const COURSE_ID = '279718f9-8d79-4d15-bbba-12a420a7b953'
const course = resourceBy('course', 'courseId')

export const cataloguePublicEvents = [
  definePublicEvent({
    type: COURSE_PUBLISHED,
    summary: 'A new version of a course was published to the catalogue.',
    schema: Type.Object({
      courseId: PublicId(),
      versionId: PublicId('The published version (immutable)'),
      versionNumber: Type.Integer({ minimum: 1, description: 'Counts the course’s published versions from 1' }),
    }),
    example: { courseId: COURSE_ID, versionId: '4e8b8915-0822-4706-b734-2f4c0d0420d7', versionNumber: 3 },
    resourceOf: course,
  }),
  definePublicEvent({
    type: COURSE_ARCHIVED,
    summary: 'A course left the catalogue; enrolled learners keep their records of it.',
    schema: Type.Object({ courseId: PublicId() }),
    example: { courseId: COURSE_ID },
    resourceOf: course,
  }),
]
