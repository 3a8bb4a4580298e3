/**
 * The demo learning path, made by the tenant administrator: created as a draft, given its
 * ordered courses with their prerequisites (If-Match), then published to the catalogue.
 * Idempotent by slug: a draft gets its courses and is published; a published or archived path is
 * left alone.
 */
import { listAll, type ApiClient } from '../api-client.ts'
import type { SeededCourse } from './courses.ts'
import type { PathSpec } from './spec.ts'

interface LearningPath {
  id: string
  slug: string
  status: 'draft' | 'published' | 'archived'
}

export async function ensurePath(
  api: ApiClient,
  admin: { token: () => Promise<string> },
  spec: PathSpec,
  courses: Map<string, SeededCourse>,
): Promise<void> {
  const members = spec.courses.map((entry) => ({ entry, course: courses.get(entry.slug) }))
  // A course left alone (archived by hand) cannot be in a published path.
  if (members.some((m) => !m.course)) return
  const token = await admin.token()
  const existing = (await listAll<LearningPath>(api, '/v1/learning-paths', token)).find((p) => p.slug === spec.slug)
  if (existing && existing.status !== 'draft') return
  const { slug, title, summary } = spec
  const path = existing
    ? await api.call<LearningPath>('GET', `/v1/learning-paths/${existing.id}`, { token })
    : await api.call<LearningPath>('POST', '/v1/learning-paths', { token, payload: { slug, title, summary } })
  const idOf = (courseSlug: string) => courses.get(courseSlug)!.id
  const withCourses = await api.call('PUT', `/v1/learning-paths/${path.body.id}/courses`, {
    token,
    ifMatch: path.etag,
    payload: {
      courses: members.map(({ entry }) => ({
        courseId: idOf(entry.slug),
        prerequisites: entry.prerequisites.map(idOf),
      })),
    },
  })
  await api.call('POST', `/v1/learning-paths/${path.body.id}/publish`, { token, ifMatch: withCourses.etag })
}
