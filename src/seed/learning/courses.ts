/**
 * A demo course, the way it is made on the platform: the instructor writes the draft (modules,
 * lessons with their drip rules and prerequisites, the question bank, quiz and assignment
 * settings) under If-Match, submits it for review, and the tenant administrator approves it, which
 * publishes version 1 to the catalogue.
 *
 * Idempotent by slug: a published course is only read back; one still in review is approved; a
 * draft (left by an interrupted run) gets its fields set, its modules replaced and its question
 * bank completed; an archived course, or a slug the demo instructor does not own, is left alone.
 */
import { listAll, type ApiClient } from '../api-client.ts'
import type { Actor } from '../areas.ts'
import type { CourseSpec, LessonSpec } from './spec.ts'

export interface SeededCourse {
  id: string
  spec: CourseSpec
  /** Lesson title → lesson id. */
  lessonIds: Map<string, string>
}

export interface CourseActors {
  instructor: Actor
  admin: Actor
}

interface CourseSummary {
  id: string
  slug: string
  status: 'draft' | 'in_review' | 'published' | 'archived'
  ownerId: string
}

interface DraftCourse {
  id: string
  modules: Array<{ id: string; title: string; lessons: Array<{ id: string; title: string }> }>
}

/** The course, published, with its lesson ids; undefined when it is left alone. */
export async function ensureCourse(
  api: ApiClient,
  actors: CourseActors,
  spec: CourseSpec,
): Promise<SeededCourse | undefined> {
  const admin = await actors.admin.token()
  const existing = (await listAll<CourseSummary>(api, '/v1/courses', admin)).find((c) => c.slug === spec.slug)
  if (existing && (existing.status === 'archived' || existing.ownerId !== actors.instructor.userId)) return undefined
  const instructor = await actors.instructor.token()
  let courseId = existing?.id
  if (!existing || existing.status === 'draft') courseId = await writeDraft(api, instructor, spec, existing?.id)
  if (!existing || existing.status !== 'published') await publish(api, actors, courseId!, existing?.status)
  const draft = await api.call<DraftCourse>('GET', `/v1/courses/${courseId}`, { token: instructor })
  const lessonIds = new Map(draft.body.modules.flatMap((m) => m.lessons.map((l) => [l.title, l.id] as const)))
  return { id: courseId!, spec, lessonIds }
}

/** Draft (new, or emptied) → in review → published. */
async function publish(
  api: ApiClient,
  actors: CourseActors,
  courseId: string,
  status: CourseSummary['status'] | undefined,
): Promise<void> {
  if (status !== 'in_review')
    await api.call('POST', `/v1/courses/${courseId}/submit`, {
      token: await actors.instructor.token(),
      payload: { comment: 'Ready for review.' },
    })
  await api.call('POST', `/v1/courses/${courseId}/approve`, {
    token: await actors.admin.token(),
    payload: { comment: 'Reviewed: clear, accurate and well paced. Approved for the catalogue.' },
  })
}

/** Creates the draft (or empties an existing one and sets its fields) and writes the whole course; returns its id. */
async function writeDraft(api: ApiClient, token: string, spec: CourseSpec, existingId?: string): Promise<string> {
  const { slug, title, summary, description, level, language, category, tags } = spec
  const fields = { title, summary, description, level, language, category, tags, delivery: 'self_paced' }
  let courseId: string
  let etag: string
  if (existingId) {
    courseId = existingId
    const updated = await api.call('PATCH', `/v1/courses/${courseId}`, {
      token,
      ifMatch: await emptyDraft(api, token, courseId),
      payload: fields,
    })
    etag = updated.etag
  } else {
    const created = await api.call<{ id: string }>('POST', '/v1/courses', { token, payload: { slug, ...fields } })
    courseId = created.body.id
    etag = created.etag
  }
  const lessonIds = new Map<string, string>()
  for (const module of spec.modules) {
    const added = await api.call<{ id: string }>('POST', `/v1/courses/${courseId}/modules`, {
      token,
      ifMatch: etag,
      payload: {
        title: module.title,
        ...(module.releaseOffsetDays ? { releaseOffsetDays: module.releaseOffsetDays } : {}),
      },
    })
    etag = added.etag
    for (const lesson of module.lessons) {
      const created = await api.call<{ id: string }>(
        'POST',
        `/v1/courses/${courseId}/modules/${added.body.id}/lessons`,
        {
          token,
          ifMatch: etag,
          payload: lessonBody(lesson, lessonIds),
        },
      )
      etag = created.etag
      lessonIds.set(lesson.title, created.body.id)
    }
  }
  await writeAssessments(api, token, courseId, spec, lessonIds, existingId !== undefined)
  return courseId
}

function lessonBody(lesson: LessonSpec, lessonIds: Map<string, string>): object {
  const prerequisites = (lesson.prerequisites ?? []).map((title) => {
    const id = lessonIds.get(title)
    if (!id) throw new Error(`prerequisite "${title}" of "${lesson.title}" must come before it`)
    return id
  })
  return {
    kind: lesson.kind,
    title: lesson.title,
    body: lesson.body,
    ...(lesson.kind === 'link' ? { url: lesson.url } : {}),
    ...(lesson.durationMinutes !== undefined ? { durationMinutes: lesson.durationMinutes } : {}),
    ...(lesson.preview ? { preview: true } : {}),
    ...(prerequisites.length > 0 ? { prerequisites } : {}),
  }
}

/**
 * The question bank, then each quiz lesson's quiz and each assignment lesson's assignment. A
 * question already in the bank (same prompt, from an interrupted run) is used rather than added again.
 */
async function writeAssessments(
  api: ApiClient,
  token: string,
  courseId: string,
  spec: CourseSpec,
  lessonIds: Map<string, string>,
  resumed: boolean,
): Promise<void> {
  const bank = resumed
    ? await listAll<{ id: string; prompt: string }>(api, `/v1/courses/${courseId}/questions`, token)
    : []
  const banked = new Map(bank.map((q) => [q.prompt, q.id]))
  for (const lesson of spec.modules.flatMap((m) => m.lessons)) {
    const lessonUrl = `/v1/courses/${courseId}/lessons/${lessonIds.get(lesson.title)}`
    if (lesson.kind === 'quiz') {
      const questionIds: string[] = []
      for (const { question } of lesson.quiz.questions) {
        const id =
          banked.get(question.prompt) ??
          (await api.call<{ id: string }>('POST', `/v1/courses/${courseId}/questions`, { token, payload: question }))
            .body.id
        questionIds.push(id)
      }
      const { questions: _questions, ...settings } = lesson.quiz
      await api.call('PUT', `${lessonUrl}/quiz`, { token, payload: { ...settings, questionIds } })
    }
    if (lesson.kind === 'assignment')
      await api.call('PUT', `${lessonUrl}/assignment`, { token, payload: lesson.assignment })
  }
}

/** Deletes every module (with its lessons) of a draft left by an interrupted run; returns the new ETag. */
async function emptyDraft(api: ApiClient, token: string, courseId: string): Promise<string> {
  const draft = await api.call<DraftCourse>('GET', `/v1/courses/${courseId}`, { token })
  let etag = draft.etag
  for (const module of draft.body.modules) {
    const deleted = await api.call('DELETE', `/v1/courses/${courseId}/modules/${module.id}`, {
      token,
      ifMatch: etag,
      expect: [200, 204],
    })
    etag = deleted.etag
  }
  return etag
}
