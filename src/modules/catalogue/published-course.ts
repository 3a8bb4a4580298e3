/**
 * The shape of a published course version (course_versions.snapshot), which is what learners,
 * the catalogue, enrolment, progress and assessment read. Lesson and module ids are the ids of
 * the draft rows, stable across versions.
 *
 * The outline is the same version without lesson bodies (course_versions.outline, a few KB):
 * what entitlement, progress and dashboards need on every learner action. The bodies (up to
 * 200 KB each) are stored once more per lesson at publication (published_lesson_bodies), so a
 * lesson read fetches its own body and never parses the whole course.
 */
export interface PublishedLessonOutline {
  id: string
  moduleId: string
  position: number
  kind: 'text' | 'video' | 'file' | 'quiz' | 'assignment' | 'link'
  title: string
  assetRef: string | null
  url: string | null
  durationMinutes: number | null
  preview: boolean
  releaseAt: string | null
  releaseOffsetDays: number | null
  prerequisites: string[]
}

export interface PublishedLesson extends PublishedLessonOutline {
  body: string
}

export interface PublishedModuleOutline {
  id: string
  position: number
  title: string
  releaseAt: string | null
  releaseOffsetDays: number | null
  lessons: PublishedLessonOutline[]
}

export interface PublishedModule extends PublishedModuleOutline {
  lessons: PublishedLesson[]
}

export interface PublishedCourseOutline {
  courseId: string
  versionId: string
  versionNumber: number
  publishedAt: string
  slug: string
  title: string
  summary: string
  description: string
  level: 'beginner' | 'intermediate' | 'advanced' | 'all'
  language: string
  category: string | null
  tags: string[]
  coverImageRef: string | null
  delivery: 'self_paced' | 'cohort'
  cohortStartsAt: string | null
  cohortEndsAt: string | null
  capacity: number | null
  accessDays: number | null
  instructorIds: string[]
  modules: PublishedModuleOutline[]
}

export interface PublishedCourse extends PublishedCourseOutline {
  modules: PublishedModule[]
}

/** The fields a version stores besides its snapshot (or outline). */
export type VersionFields = 'versionId' | 'versionNumber' | 'publishedAt'

/** The outline of a snapshot: every field, every lesson without its body. */
export function outlineOf<T extends Omit<PublishedCourse, VersionFields>>(
  course: T,
): Omit<T, 'modules'> & { modules: PublishedModuleOutline[] } {
  return {
    ...course,
    modules: course.modules.map((module) => ({
      ...module,
      lessons: module.lessons.map(({ body: _body, ...lesson }) => lesson),
    })),
  }
}
