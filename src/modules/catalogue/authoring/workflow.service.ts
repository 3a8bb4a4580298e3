/**
 * The review workflow: draft → in review → published → archived. Authors submit, reviewers
 * (the reviewer role, and tenant administrators) approve or request changes on courses they do
 * not teach, administrators may also publish directly (their own courses only while the learning
 * policy allows self-publication). Publishing freezes the draft as the next immutable version;
 * authors keep editing the draft and republishing is explicit. Each step records the review
 * history, an audit entry and, for publication and archiving, a domain event, all in the step's
 * transaction; a refused self-review or self-publication is audited on its own.
 */
import { recordAudit } from '../../../platform/audit/audit.ts'
import { AuditedRefusal, recordingRefusals } from '../../../platform/audit/refusals.ts'
import type { AppError } from '../../../platform/errors.ts'
import type { EventPublisher } from '../../../platform/events/events.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { catalogueErrors } from '../catalogue.errors.ts'
import {
  COURSE_ARCHIVED,
  COURSE_PUBLISHED,
  type CourseArchivedPayload,
  type CoursePublishedPayload,
} from '../catalogue.events.ts'
import {
  assertOwnerOrAdmin,
  assertTransition,
  isRefusedSelfPublication,
  isSelfReview,
  statusAfterChangesRequested,
  type WorkflowAction,
} from '../catalogue.policy.ts'
import { learningPolicyOf } from '../policy/learning-policy.service.ts'
import { checkParticipants, publishCourse, removeCatalogueEntry } from '../publication.ts'
import { authoringRepository as repository, createdCursor, type ReviewAction } from './authoring.repository.ts'
import { changeCourse, viewCourse, type CourseAccess } from './course-access.ts'
import { hasUnpublishedChanges, readCourseView } from './course-view.ts'
import { slugConflictsAs } from './courses.service.ts'

interface Step {
  expected: number | undefined
  comment: string | undefined
}

const AUDIT_ACTIONS: Record<WorkflowAction, string> = {
  submit: 'course.submitted',
  approve: 'course.approved',
  request_changes: 'course.changes_requested',
  publish: 'course.published',
  archive: 'course.archived',
}

/** Something to publish: at least one lesson, and (for a live course) a draft that differs from the live version. */
async function assertPublishable({ tx, course }: CourseAccess): Promise<void> {
  if ((await repository.lessonCount(tx, course.id)) === 0) throw catalogueErrors.emptyCourse()
  if (course.publishedVersionId && !(await hasUnpublishedChanges(tx, course))) throw catalogueErrors.nothingToPublish()
  await checkParticipants(tx, course.id)
}

/** A refusal of a step on one's own course, audited as course.self_<what>_refused. */
const selfDealing = (error: AppError, what: 'review' | 'publication', access: CourseAccess, step: WorkflowAction) =>
  new AuditedRefusal(error, {
    action: `course.self_${what}_refused`,
    targetType: 'course',
    targetId: access.course.id,
    details: { step, staffRole: access.staffRole },
  })

/** Nobody approves or sends back a course they teach, tenant administrators included (audited). */
function assertMayReview(access: CourseAccess, step: 'approve' | 'request_changes'): void {
  if (isSelfReview(access.staffRole)) throw selfDealing(catalogueErrors.selfReview(), 'review', access, step)
}

/** An administrator publishes a course they teach directly only while the learning policy allows it (audited). */
async function assertMayPublishDirectly(access: CourseAccess): Promise<void> {
  if (access.staffRole === null) return
  const { allowSelfPublication } = await learningPolicyOf(access.tx)
  if (isRefusedSelfPublication(access.staffRole, allowSelfPublication))
    throw selfDealing(catalogueErrors.selfPublication(), 'publication', access, 'publish')
}

/** The review history row and the audit entry of a step. */
async function record(
  ctx: RequestContext,
  access: CourseAccess,
  action: WorkflowAction,
  review: ReviewAction,
  comment: string | undefined,
  details: Record<string, unknown> = {},
) {
  const { tx, course, author } = access
  await repository.addReview(tx, {
    tenantId: course.tenantId,
    courseId: course.id,
    action: review,
    comment: comment ?? null,
    actorId: author.userId,
  })
  await recordAudit(tx, ctx, {
    action: AUDIT_ACTIONS[action],
    targetType: 'course',
    targetId: course.id,
    details: { from: course.status, ...details },
  })
}

/** Publishes the draft as the next version, records it and emits catalogue.course_published. */
async function publish(
  events: EventPublisher,
  ctx: RequestContext,
  access: CourseAccess,
  action: 'approve' | 'publish',
  comment: string | undefined,
) {
  const published = await publishCourse(access.tx, access.course.id, access.author.userId)
  if (!published) throw catalogueErrors.courseNotFound(access.course.id)
  await record(ctx, access, action, action === 'approve' ? 'approved' : 'published', comment, {
    versionId: published.versionId,
    versionNumber: published.versionNumber,
  })
  const payload: CoursePublishedPayload = {
    courseId: published.courseId,
    versionId: published.versionId,
    versionNumber: published.versionNumber,
  }
  await events.publish(access.tx, ctx, { type: COURSE_PUBLISHED, payload })
}

/** The course's review history, oldest first. */
const reviews = (ctx: RequestContext, courseId: string, query: { limit: number; cursor?: string | undefined }) =>
  viewCourse(ctx, courseId, async ({ tx }) => {
    const after = createdCursor.decode(query.cursor)
    const page = createdCursor.page(
      await repository.listReviews(tx, courseId, { limit: query.limit, after }),
      query.limit,
      (row) => [row.position, row.review.id],
    )
    return {
      data: page.data.map(({ review }) => ({
        id: review.id,
        action: review.action,
        comment: review.comment,
        actorId: review.actorId,
        createdAt: review.createdAt.toISOString(),
      })),
      nextCursor: page.nextCursor,
    }
  })

export function createWorkflowService(deps: { events: EventPublisher }) {
  const step = (ctx: RequestContext, courseId: string, input: Step, work: (access: CourseAccess) => Promise<void>) =>
    recordingRefusals(ctx, () =>
      slugConflictsAs(undefined, () =>
        changeCourse(ctx, courseId, { expected: input.expected, content: false }, async (access) => {
          await work(access)
          return readCourseView(access.tx, courseId)
        }),
      ),
    )

  return {
    /** An author asks for review of the draft (a first publication or a revision of a live course). */
    submit: (ctx: RequestContext, courseId: string, input: Step) =>
      step(ctx, courseId, input, async (access) => {
        assertTransition(access.course.status, 'submit')
        await assertPublishable(access)
        await repository.updateCourse(access.tx, courseId, { status: 'in_review' })
        await record(ctx, access, 'submit', 'submitted', input.comment)
      }),

    /** A reviewer publishes the submitted draft as the next version. */
    approve: (ctx: RequestContext, courseId: string, input: Step) =>
      step(ctx, courseId, input, async (access) => {
        assertTransition(access.course.status, 'approve')
        assertMayReview(access, 'approve')
        if ((await repository.lessonCount(access.tx, courseId)) === 0) throw catalogueErrors.emptyCourse()
        // Quiz and assignment settings are not under the course's ETag: check them again.
        await checkParticipants(access.tx, courseId)
        await publish(deps.events, ctx, access, 'approve', input.comment)
      }),

    /** A reviewer sends the draft back with a comment; a live course stays live on its current version. */
    requestChanges: (ctx: RequestContext, courseId: string, input: Step) =>
      step(ctx, courseId, input, async (access) => {
        if (!input.comment)
          throw catalogueErrors.invalidField('body.comment', 'is required when requesting changes', 'required')
        assertTransition(access.course.status, 'request_changes')
        assertMayReview(access, 'request_changes')
        await repository.updateCourse(access.tx, courseId, {
          status: statusAfterChangesRequested(access.course.publishedVersionId !== null),
        })
        await record(ctx, access, 'request_changes', 'changes_requested', input.comment)
      }),

    /**
     * An administrator publishes (or republishes) the draft directly, without a review round; a
     * course they teach only while the learning policy allows self-publication.
     */
    publishNow: (ctx: RequestContext, courseId: string, input: Step) =>
      step(ctx, courseId, input, async (access) => {
        assertTransition(access.course.status, 'publish')
        await assertMayPublishDirectly(access)
        await assertPublishable(access)
        await publish(deps.events, ctx, access, 'publish', input.comment)
      }),

    /** The owner or an administrator takes the course out of the catalogue for good. */
    archive: (ctx: RequestContext, courseId: string, input: Step) =>
      step(ctx, courseId, input, async (access) => {
        assertOwnerOrAdmin(access.author, access.staffRole)
        assertTransition(access.course.status, 'archive')
        await repository.updateCourse(access.tx, courseId, { status: 'archived' })
        await removeCatalogueEntry(access.tx, courseId)
        await record(ctx, access, 'archive', 'archived', input.comment)
        const payload: CourseArchivedPayload = { courseId }
        await deps.events.publish(access.tx, ctx, { type: COURSE_ARCHIVED, payload })
      }),

    reviews,
  }
}

export type WorkflowService = ReturnType<typeof createWorkflowService>
