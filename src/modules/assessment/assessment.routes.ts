/**
 * The assessment module's routes, one registration function per resource. The order below is
 * the order of the operations in the OpenAPI document.
 */
import type { App } from '../../platform/http/server.ts'
import { AssessmentsInReview, Attempt, LearnerQuiz, Question, QuizSettings } from './assessment.schemas.ts'
import { gradingRoutes, submissionRoutes } from './assignments.routes.ts'
import {
  AssignmentSettings,
  GradebookRow,
  GradedSubmission,
  LearnerAssignment,
  Submission,
} from './assignments.schemas.ts'
import type { AssignmentsService } from './assignments.service.ts'
import { lessonSettingsRoutes, questionBankRoutes } from './authoring.routes.ts'
import type { AuthoringService } from './authoring.service.ts'
import { quizRoutes } from './quiz.routes.ts'
import { reviewRoutes } from './review.routes.ts'
import type { QuizService } from './quiz.service.ts'

/**
 * The named schemas the routes refer to with Type.Ref. Their order here is their order under
 * components.schemas in the OpenAPI document.
 */
const ASSESSMENT_SCHEMAS = [
  Question,
  QuizSettings,
  AssignmentSettings,
  LearnerQuiz,
  Attempt,
  LearnerAssignment,
  Submission,
  GradedSubmission,
  GradebookRow,
  AssessmentsInReview,
]

export function assessmentRoutes(services: {
  authoring: AuthoringService
  quizzes: QuizService
  assignments: AssignmentsService
}) {
  return async function routes(app: App) {
    for (const schema of ASSESSMENT_SCHEMAS) app.addSchema(schema)
    questionBankRoutes(app, services.authoring)
    lessonSettingsRoutes(app, services.authoring)
    quizRoutes(app, services.quizzes)
    submissionRoutes(app, services.assignments)
    gradingRoutes(app, services.assignments)
    reviewRoutes(app)
  }
}
