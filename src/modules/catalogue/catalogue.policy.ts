/**
 * Authoring and review rules of the catalogue, as pure functions: the services gather the facts
 * (in the same transaction) and these decide, so each rule is testable without a database.
 */
import type { Principal } from '../../platform/http/principal.ts'
import type { COURSE_STATUSES } from './catalogue.tables.ts'
import { catalogueErrors } from './catalogue.errors.ts'

export type CourseStatus = (typeof COURSE_STATUSES)[number]
export type StaffRole = 'owner' | 'co_instructor'

export interface Author {
  userId: string
  /**
   * Tenant administrators (holders of courses:manage) author every course of the tenant;
   * instructors only the courses they own or co-teach.
   */
  isAdmin: boolean
  /** Reviewers and administrators (courses:review) see the courses in review, to review them. */
  isReviewer: boolean
}

/** Authoring is done by signed-in members: a course needs a person as owner and in its history. */
export function authorOf(principal: Principal): Author {
  if (principal.kind !== 'user') throw catalogueErrors.userPrincipalRequired()
  return {
    userId: principal.userId,
    isAdmin: principal.permissions.has('courses:manage'),
    isReviewer: principal.permissions.has('courses:review'),
  }
}

/**
 * Whether the author may see (and so act on) the course; others get 404, so they learn nothing
 * about it. Reviewers see a course only while it is in review.
 */
export const maySee = (author: Author, staffRole: StaffRole | null, status: CourseStatus): boolean =>
  author.isAdmin || staffRole !== null || (author.isReviewer && status === 'in_review')

/**
 * Nobody reviews a course they teach (owner or co-instructor), whatever their role: approving
 * publishes it, so it always takes someone else. Returns whether the step is self-review.
 */
export const isSelfReview = (staffRole: StaffRole | null): boolean => staffRole !== null

/**
 * Publishing directly (without a review round) a course one teaches is self-publication: allowed
 * only while the tenant's learning policy allows it.
 */
export const isRefusedSelfPublication = (staffRole: StaffRole | null, allowSelfPublication: boolean): boolean =>
  staffRole !== null && !allowSelfPublication

/** Owner-level actions: co-instructors, archiving. */
export function assertOwnerOrAdmin(author: Author, staffRole: StaffRole | null): void {
  if (!author.isAdmin && staffRole !== 'owner') throw catalogueErrors.ownerOnly()
}

/**
 * Content changes while the course is a draft or published (the published version stays live
 * while the draft diverges). Not while in review, so the reviewer approves what they read, and
 * not once archived.
 */
export function assertEditable(status: CourseStatus): void {
  if (status === 'in_review' || status === 'archived') throw catalogueErrors.notEditable(status)
}

/**
 * The course's staff (co-instructors) change like its content, except that someone may still be
 * taken off an archived course. Never while it is in review: whoever reviews it must not have
 * stepped off its staff to do so, and nobody joins a course whose review is under way.
 */
export function assertStaffChangeable(status: CourseStatus, change: 'add' | 'remove'): void {
  if (change === 'add' || status === 'in_review') assertEditable(status)
}

export type WorkflowAction = 'submit' | 'approve' | 'request_changes' | 'publish' | 'archive'

const ALLOWED_FROM: Record<WorkflowAction, readonly CourseStatus[]> = {
  submit: ['draft', 'published'],
  approve: ['in_review'],
  request_changes: ['in_review'],
  publish: ['draft', 'in_review', 'published'],
  archive: ['draft', 'in_review', 'published'],
}

const ACTION_WORDS: Record<WorkflowAction, string> = {
  submit: 'submitted for review',
  approve: 'approved',
  request_changes: 'sent back with change requests',
  publish: 'published',
  archive: 'archived',
}

export function assertTransition(status: CourseStatus, action: WorkflowAction): void {
  if (!ALLOWED_FROM[action].includes(status)) throw catalogueErrors.invalidTransition(status, ACTION_WORDS[action])
}

/** Where a course goes when changes are requested: back to draft, or live again if a version is published. */
export const statusAfterChangesRequested = (hasPublishedVersion: boolean): CourseStatus =>
  hasPublishedVersion ? 'published' : 'draft'

/** Drip release: an absolute instant or an offset from enrolment, never both. */
export function assertOneDripRule(drip: { releaseAt?: unknown; releaseOffsetDays?: unknown }, path: string): void {
  if (drip.releaseAt != null && drip.releaseOffsetDays != null) throw catalogueErrors.dripConflict(path)
}

export interface LessonContent {
  kind: 'text' | 'video' | 'file' | 'quiz' | 'assignment' | 'link'
  assetRef: string | null
  url: string | null
}

/** What each kind of lesson needs: an asset for video and file lessons, an https URL for links. */
export function assertLessonContent(lesson: LessonContent): void {
  if ((lesson.kind === 'video' || lesson.kind === 'file') && !lesson.assetRef)
    throw catalogueErrors.invalidField('body.assetRef', `is required for ${lesson.kind} lessons`, 'required')
  if (lesson.kind === 'link') {
    if (!lesson.url) throw catalogueErrors.invalidField('body.url', 'is required for link lessons', 'required')
    let protocol = ''
    try {
      protocol = new URL(lesson.url).protocol
    } catch {
      protocol = ''
    }
    if (protocol !== 'https:') throw catalogueErrors.invalidField('body.url', 'must be an absolute https URL', 'format')
  }
  if (lesson.kind !== 'link' && lesson.url)
    throw catalogueErrors.invalidField('body.url', 'is only for link lessons', 'kind')
}

export interface Delivery {
  delivery: 'self_paced' | 'cohort'
  cohortStartsAt: Date | null
  cohortEndsAt: Date | null
  capacity: number | null
}

/** A cohort runs between two dates with a fixed number of seats; a self-paced course has no dates. */
export function assertDelivery(course: Delivery): void {
  if (course.delivery === 'cohort') {
    for (const field of ['cohortStartsAt', 'cohortEndsAt', 'capacity'] as const)
      if (course[field] == null)
        throw catalogueErrors.invalidField(`body.${field}`, 'is required for cohort courses', 'required')
    if (course.cohortEndsAt! <= course.cohortStartsAt!)
      throw catalogueErrors.invalidField('body.cohortEndsAt', 'must be after cohortStartsAt', 'range')
    return
  }
  for (const field of ['cohortStartsAt', 'cohortEndsAt'] as const)
    if (course[field] != null)
      throw catalogueErrors.invalidField(`body.${field}`, 'is only for cohort courses', 'delivery')
}

/**
 * Prerequisites of `lessonId` after a change: other lessons of the same course, and no cycle in
 * the course's whole graph. `graph` maps every lesson of the course to its prerequisites, with
 * the change already applied.
 */
export function assertPrerequisites(lessonId: string, graph: ReadonlyMap<string, readonly string[]>): void {
  const own = graph.get(lessonId) ?? []
  const unknown = own.filter((id) => id === lessonId || !graph.has(id))
  if (unknown.length > 0) throw catalogueErrors.prerequisiteUnknown(unknown)
  const cycle = findCycle(graph)
  if (cycle) throw catalogueErrors.prerequisiteCycle(cycle)
}

/** A cycle in a prerequisite graph (the path, first node repeated at the end), or null. */
export function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>()
  const path: string[] = []
  const visit = (node: string): string[] | null => {
    const seen = state.get(node)
    if (seen === 'done') return null
    if (seen === 'visiting') return [...path.slice(path.indexOf(node)), node]
    state.set(node, 'visiting')
    path.push(node)
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue
      const cycle = visit(next)
      if (cycle) return cycle
    }
    path.pop()
    state.set(node, 'done')
    return null
  }
  for (const node of graph.keys()) {
    const cycle = visit(node)
    if (cycle) return cycle
  }
  return null
}

/**
 * A reorder must name every module and every lesson of the course exactly once, so a client
 * working from a stale or partial view cannot drop or duplicate content.
 */
export function assertStructure(
  requested: ReadonlyArray<{ id: string; lessonIds: readonly string[] }>,
  existing: { moduleIds: readonly string[]; lessonIds: readonly string[] },
): void {
  const sameSet = (given: readonly string[], actual: readonly string[]) =>
    given.length === actual.length && new Set(given).size === given.length && given.every((id) => actual.includes(id))
  if (
    !sameSet(
      requested.map((m) => m.id),
      existing.moduleIds,
    )
  )
    throw catalogueErrors.structureMismatch('modules must be exactly the ids of the existing modules, each once')
  if (
    !sameSet(
      requested.flatMap((m) => m.lessonIds),
      existing.lessonIds,
    )
  )
    throw catalogueErrors.structureMismatch(
      'lessonIds must together be exactly the ids of the existing lessons, each once',
    )
}
