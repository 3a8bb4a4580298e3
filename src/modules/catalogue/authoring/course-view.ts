/** The authoring view of a course: the draft with its ordered modules and lessons, and how it relates to the published version. */
import { isDeepStrictEqual } from 'node:util'
import type { Tx } from '../../../platform/db/database.ts'
import { participantsChanged, snapshotDraft } from '../publication.ts'
import {
  authoringRepository as repository,
  type CourseRow,
  type LessonRow,
  type ModuleRow,
} from './authoring.repository.ts'

const iso = (value: Date | null) => (value ? value.toISOString() : null)

export function presentSummary(course: CourseRow) {
  return {
    id: course.id,
    slug: course.slug,
    title: course.title,
    status: course.status,
    delivery: course.delivery,
    ownerId: course.ownerId,
    version: course.version,
    publishedVersionId: course.publishedVersionId,
    createdAt: course.createdAt.toISOString(),
    updatedAt: course.updatedAt.toISOString(),
  }
}

export function presentLesson(lesson: LessonRow) {
  return {
    id: lesson.id,
    moduleId: lesson.moduleId,
    position: lesson.position,
    kind: lesson.kind,
    title: lesson.title,
    body: lesson.body,
    assetRef: lesson.assetRef,
    url: lesson.url,
    durationMinutes: lesson.durationMinutes,
    preview: lesson.preview,
    releaseAt: iso(lesson.releaseAt),
    releaseOffsetDays: lesson.releaseOffsetDays,
    prerequisites: lesson.prerequisites,
  }
}

export function presentModule(module: ModuleRow, lessonRows: LessonRow[]) {
  return {
    id: module.id,
    position: module.position,
    title: module.title,
    releaseAt: iso(module.releaseAt),
    releaseOffsetDays: module.releaseOffsetDays,
    lessons: lessonRows.filter((l) => l.moduleId === module.id).map(presentLesson),
  }
}

/** True when publishing now would give learners something different from the live version. */
export async function hasUnpublishedChanges(tx: Tx, course: CourseRow): Promise<boolean> {
  const published = await repository.publishedVersion(tx, course.publishedVersionId)
  if (!published) return false
  const draft = await snapshotDraft(tx, course.id)
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(draft)), published.snapshot)) return true
  // Quiz and assignment settings live with their module and are compared there.
  return course.publishedVersionId !== null && (await participantsChanged(tx, course.id, course.publishedVersionId))
}

/** Reads the course again (after changes in this transaction) with everything the authoring view shows. */
export async function readCourseView(tx: Tx, courseId: string) {
  const [course] = await repository.courseById(tx, courseId)
  if (!course) throw new Error(`course ${courseId} vanished inside its own transaction`)
  const [modules, lessonRows, instructors, published] = [
    await repository.modulesOf(tx, courseId),
    await repository.lessonsOf(tx, courseId),
    await repository.instructorsOf(tx, courseId),
    await repository.publishedVersion(tx, course.publishedVersionId),
  ]
  return {
    ...presentSummary(course),
    summary: course.summary,
    description: course.description,
    level: course.level,
    language: course.language,
    category: course.category,
    tags: course.tags,
    coverImageRef: course.coverImageRef,
    cohortStartsAt: iso(course.cohortStartsAt),
    cohortEndsAt: iso(course.cohortEndsAt),
    capacity: course.capacity,
    accessDays: course.accessDays,
    instructors,
    publishedVersion: published
      ? { id: published.id, number: published.number, publishedAt: published.publishedAt.toISOString() }
      : null,
    hasUnpublishedChanges: published ? await hasUnpublishedChanges(tx, course) : false,
    modules: modules.map((m) => presentModule(m, lessonRows)),
  }
}

export type CourseView = Awaited<ReturnType<typeof readCourseView>>
