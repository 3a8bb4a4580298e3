import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import { expectedVersion, setEtag } from '../../../platform/http/etag.ts'
import { Page, PageQuery } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import { CourseParams, OptionalCommentBody, RequiredCommentBody } from './authoring.schemas.ts'
import type { WorkflowService } from './workflow.service.ts'

const tags = ['catalogue']
const IF_MATCH =
  ' If-Match is optional: when sent, a course changed since (412) is refused, so the step applies to exactly the version read.'
const NOT_IMPERSONATING =
  " Refused while impersonating (403 IMPERSONATION_FORBIDDEN): the decision is the caller's own."
const PUBLISHES =
  ' Publishing snapshots the draft as the next immutable version (with its quiz and assignment settings), rewrites the catalogue entry and emits catalogue.course_published. A quiz or assignment lesson not set up is 409 ASSESSMENT_INCOMPLETE.'

type Step = 'submit' | 'approve' | 'requestChanges' | 'publishNow' | 'archive'

const STEPS: Array<{
  path: string
  step: Step
  summary: string
  description: string
  operationId: string
  permission: 'courses:author' | 'courses:review' | 'courses:manage'
  commentRequired?: boolean
  /**
   * Decisions that rest on who decides (separation of duties: nobody approves or publishes their own
   * course) are refused while impersonating: an administrator impersonating a reviewer would
   * otherwise approve a course of their own under someone else's name.
   */
  decision?: boolean
}> = [
  {
    path: 'submit',
    step: 'submit',
    summary: 'Submit a course for review',
    description:
      'Draft (or a live course with unpublished changes) → in_review. Needs at least one lesson (409 COURSE_HAS_NO_LESSONS); a live course whose draft (quiz and assignment settings included) equals its published version is 409 NOTHING_TO_PUBLISH; a quiz or assignment lesson not set up is 409 ASSESSMENT_INCOMPLETE. Instructors of the course or administrators.',
    operationId: 'submitCourse',
    permission: 'courses:author',
  },
  {
    path: 'approve',
    step: 'approve',
    summary: 'Approve and publish a course in review',
    description: `in_review → published.${PUBLISHES} Reviewers (the reviewer role) and tenant administrators; nobody approves a course they teach, administrators included (403 SELF_REVIEW, audited). A reviewer sees a course only while it is in review (others 404).`,
    operationId: 'approveCourse',
    permission: 'courses:review',
    decision: true,
  },
  {
    path: 'request-changes',
    step: 'requestChanges',
    summary: 'Send a course in review back with change requests',
    description:
      'in_review → draft (or back to published when a version is live; learners keep the live version). The comment is required. Reviewers and tenant administrators, never on a course they teach (403 SELF_REVIEW, audited).',
    operationId: 'requestCourseChanges',
    permission: 'courses:review',
    commentRequired: true,
    decision: true,
  },
  {
    path: 'publish',
    step: 'publishNow',
    summary: 'Publish or republish a course directly',
    description: `Tenant administrators only (courses:manage), without a review round.${PUBLISHES} 409 NOTHING_TO_PUBLISH when the draft equals the live version. A course the administrator teaches only while the learning policy allows self-publication (allowSelfPublication; otherwise 403 SELF_PUBLICATION, audited).`,
    operationId: 'publishCourse',
    permission: 'courses:manage',
    decision: true,
  },
  {
    path: 'archive',
    step: 'archive',
    summary: 'Archive a course',
    description:
      "The course's owner or an administrator. Removes it from the catalogue and emits catalogue.course_archived; published versions stay for enrolled learners' records.",
    operationId: 'archiveCourse',
    permission: 'courses:author',
  },
]

/** Registers the workflow routes (the AuthoringCourse and CourseReview schemas are added by the module's plugin). */
export function workflowRoutes(app: App, service: WorkflowService): void {
  {
    for (const definition of STEPS) {
      app.post(
        `/v1/courses/:courseId/${definition.path}`,
        {
          schema: {
            summary: definition.summary,
            description: definition.description + (definition.decision ? NOT_IMPERSONATING : '') + IF_MATCH,
            tags,
            operationId: definition.operationId,
            params: CourseParams,
            body: definition.commentRequired ? RequiredCommentBody : OptionalCommentBody,
            response: { 200: Type.Ref('AuthoringCourse') },
          },
          config: {
            ifMatch: 'optional',
            privileged: definition.decision === true,
            access: tenantAccess({ allOf: [definition.permission], peopleOnly: true }),
          },
        },
        async (request, reply) => {
          const { comment } = request.body as { comment?: string }
          const { result, version } = await service[definition.step](request.ctx, request.params.courseId, {
            expected: expectedVersion(request),
            comment,
          })
          setEtag(reply, version)
          return result
        },
      )
    }

    app.get(
      '/v1/courses/:courseId/reviews',
      {
        schema: {
          summary: "A course's review history",
          description:
            'Submissions, approvals, change requests, publications and archiving with their comments, oldest first.',
          tags,
          operationId: 'listCourseReviews',
          params: CourseParams,
          querystring: PageQuery,
          response: { 200: Page(Type.Ref('CourseReview'), 'CourseReviewPage') },
        },
        config: { access: tenantAccess({ allOf: ['courses:author'], peopleOnly: true }) },
      },
      async (request) => service.reviews(request.ctx, request.params.courseId, request.query),
    )
  }
}
