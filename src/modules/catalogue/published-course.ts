/**
 * The shape of a published course version (course_versions.snapshot), which is what learners,
 * the catalogue, enrolment, progress and assessment read. Lesson and module ids are the ids of
 * the draft rows, stable across versions.
 */
export interface PublishedLesson {
  id: string
  moduleId: string
  position: number
  kind: 'text' | 'video' | 'file' | 'quiz' | 'assignment' | 'link'
  title: string
  body: string
  assetRef: string | null
  url: string | null
  durationMinutes: number | null
  preview: boolean
  releaseAt: string | null
  releaseOffsetDays: number | null
  prerequisites: string[]
}

export interface PublishedModule {
  id: string
  position: number
  title: string
  releaseAt: string | null
  releaseOffsetDays: number | null
  lessons: PublishedLesson[]
}

export interface PublishedCourse {
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
  modules: PublishedModule[]
}
