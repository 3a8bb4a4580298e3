/**
 * Catalogue: course authoring (drafts, review, publication of immutable versions), the public
 * catalogue and learning paths. Owns the `catalogue` schema. Other modules read published courses
 * only through this file.
 */
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { App } from '../../platform/http/server.ts'
import { AUTHORING_SCHEMAS, authoringRoutes } from './authoring/authoring.routes.ts'
import { createContentService } from './authoring/content.service.ts'
import { createCoursesService } from './authoring/courses.service.ts'
import { reviewQueueRoutes } from './authoring/review-queue.routes.ts'
import { createReviewQueueService } from './authoring/review-queue.service.ts'
import { workflowRoutes } from './authoring/workflow.routes.ts'
import { createWorkflowService } from './authoring/workflow.service.ts'
import { learningPathRoutes } from './paths/paths.routes.ts'
import { learningPolicyRoutes } from './policy/learning-policy.routes.ts'
import { createLearningPolicyService } from './policy/learning-policy.service.ts'
import { publicCatalogueRoutes } from './public/catalogue-public.routes.ts'

export {
  courseExists,
  draftLessonOf,
  courseCards,
  isFreeCourse,
  setCourseFree,
  courseSaleFacts,
  listedCourseIdBySlug,
  lessonsUsingAssets,
  type AssetUse,
  type CourseCardFacts,
  type CourseSaleFacts,
} from './course-facts.ts'
export { learningPathSaleFacts, publishedPathIdBySlug, type PathSaleFacts } from './paths/path-facts.ts'
export type {
  PublishedCourse,
  PublishedModule,
  PublishedLesson,
  PublishedCourseOutline,
  PublishedModuleOutline,
  PublishedLessonOutline,
} from './published-course.ts'
export { isAssessedLesson, ASSESSED_LESSON_KINDS, type AssessedLessonKind, type LessonKind } from './lesson-kinds.ts'
export {
  readPublishedCourse,
  readPublishedLesson,
  type Published,
  wasPublished,
  courseStaffRole,
  courseStaffIds,
  publishCourse,
  registerPublicationParticipant,
  type PublicationParticipant,
  type DraftLesson,
} from './publication.ts'
export { assertCourseEditable } from './course-editability.ts'
export { lessonsInReviewFor } from './authoring/review-queue.service.ts'
export { pathPrerequisitesOf, type PathPrerequisite } from './paths/path-prerequisites.ts'
export {
  learningPolicyOf,
  DEFAULT_LEARNING_POLICY,
  type LearningPolicyValues,
} from './policy/learning-policy.service.ts'
export {
  COURSE_PUBLISHED,
  COURSE_ARCHIVED,
  type CoursePublishedPayload,
  type CourseArchivedPayload,
} from './catalogue.events.ts'
export { cataloguePublicEvents } from './catalogue.public-events.ts'

export interface CatalogueDeps {
  events: EventPublisher
  /**
   * Whether the user is an active member of the transaction's tenant holding the instructor role
   * (co-instructors must be). Identity owns memberships; app.ts passes the check in.
   */
  isInstructor(tx: Tx, userId: string): Promise<boolean>
}

export function createCatalogueModule(deps: CatalogueDeps) {
  const courses = createCoursesService({ isInstructor: deps.isInstructor })
  const content = createContentService()
  const workflow = createWorkflowService({ events: deps.events })
  return {
    /** Authoring and review routes (/v1/courses...). */
    routes: async function catalogueRoutes(app: App) {
      for (const schema of AUTHORING_SCHEMAS) app.addSchema(schema)
      authoringRoutes(app, courses, content)
      workflowRoutes(app, workflow)
      reviewQueueRoutes(app, createReviewQueueService())
      learningPolicyRoutes(app, createLearningPolicyService())
      // The public catalogue (anonymous, tenant from Host) in its own encapsulated scope.
      await app.register(publicCatalogueRoutes())
      await app.register(learningPathRoutes())
    },
  }
}

export type CatalogueModule = ReturnType<typeof createCatalogueModule>
