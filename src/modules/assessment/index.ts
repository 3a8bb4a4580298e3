/**
 * Assessment: per-course question banks, quizzes (attempts graded automatically) and
 * assignments (graded by course staff against a rubric). Owns the `assessment` schema. A passed
 * quiz or assignment completes its lesson through the progress module; grading an assignment
 * publishes assessment.submission_graded, from which the learner is emailed.
 */
import type { Logger } from 'pino'
import type { Config } from '../../config.ts'
import type { Events } from '../../platform/events/events.ts'
import type { Mailer } from '../../platform/mail/index.ts'
import type { Metrics } from '../../platform/observability/metrics.ts'
import { assessmentRoutes } from './assessment.routes.ts'
import { subscribeGradedMail } from './assessment.mail.ts'
import { createAssignmentsService } from './assignments.service.ts'
import { createAuthoringService } from './authoring.service.ts'
import { registerPublicationParticipant } from './assessment.deps.ts'
import { assessmentPublication } from './published-assessments.ts'
import { createPatternMatcher } from './pattern-matcher.ts'
import { createQuizService } from './quiz.service.ts'
export { assessmentPublicEvents } from './assessment.public-events.ts'

export { ASSESSMENT_SUBMISSION_GRADED, type SubmissionGradedPayload } from './assessment.events.ts'
export { GRADED_SUBJECT } from './assessment.mail.ts'

export interface AssessmentDeps {
  events: Events
  mail: Mailer
  logger: Logger
  /** The pattern worker threads' settings (threads, queue, deadline). */
  patterns: Config['patterns']
  metrics?: Metrics
}

export function createAssessmentModule(deps: AssessmentDeps) {
  // Quiz and assignment settings are checked on submission for review and frozen with each published version.
  registerPublicationParticipant('assessment', assessmentPublication)
  subscribeGradedMail({ events: deps.events, mail: deps.mail, logger: deps.logger.child({ component: 'assessment' }) })
  // Short-answer patterns compile and match in worker threads, never on the event loop.
  const patterns = createPatternMatcher({
    config: deps.patterns,
    logger: deps.logger.child({ component: 'assessment.patterns' }),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  })
  const services = {
    authoring: createAuthoringService({ patterns }),
    quizzes: createQuizService({ events: deps.events, patterns }),
    assignments: createAssignmentsService({ events: deps.events }),
  }
  return {
    routes: assessmentRoutes(services),
    /** The pattern worker threads: alive, queued, completed, replaced. */
    patternThreads: () => patterns.stats(),
    /** Terminates the pattern worker threads (app close). */
    close: () => patterns.close(),
  }
}

export type AssessmentModule = ReturnType<typeof createAssessmentModule>
