/** Assessment's public events (platform/events/public-events.ts): scores, never answers or feedback. */
import { Type } from 'typebox'
import { PublicId, PublicInstant } from '../../platform/events/public-event-schemas.ts'
import { definePublicEvent, resourceBy } from '../../platform/events/public-events.ts'
import { ASSESSMENT_SUBMISSION_GRADED } from './assessment.events.ts'

const Points = (description: string) => Type.Integer({ minimum: 0, description })

export const assessmentPublicEvents = [
  definePublicEvent({
    type: ASSESSMENT_SUBMISSION_GRADED,
    summary: 'A quiz or assignment submission was graded (a regrade publishes it again with a higher version).',
    schema: Type.Object({
      submissionId: PublicId(),
      lessonId: PublicId(),
      courseId: PublicId(),
      userId: PublicId('The learner'),
      enrolmentId: PublicId(),
      points: Points('Points awarded'),
      maxPoints: Points('Points possible'),
      passed: Type.Boolean(),
      late: Type.Boolean({ description: 'Submitted after the deadline' }),
      gradedAt: PublicInstant(),
      version: Type.Integer({ minimum: 1, description: 'The submission’s version after this grading' }),
    }),
    example: {
      submissionId: '987cbdb0-a582-4090-b3ee-d4ab17f17aa8',
      lessonId: '3e2ae264-eb4a-40de-a59c-ea805e4513f1',
      courseId: '279718f9-8d79-4d15-bbba-12a420a7b953',
      userId: '0be2051f-39d3-462e-aae4-dff5d00a8e5a',
      enrolmentId: '94feef75-acc9-4544-a44a-0bb3523a142c',
      points: 17,
      maxPoints: 20,
      passed: true,
      late: false,
      gradedAt: '2026-11-21T08:45:12.300Z',
      version: 2,
    },
    resourceOf: resourceBy('submission', 'submissionId'),
  }),
]
