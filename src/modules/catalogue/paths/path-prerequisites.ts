/**
 * What learning paths require before a course, for the enrolment module to enforce. A course may
 * be in several published paths: a prerequisite declared by any of them binds (they add up), so
 * no path can be used to walk around another's requirement; draft and archived paths bind
 * nothing, and neither does a prerequisite that is no longer in the catalogue (a learner could
 * not take it, and the catalogue's path view no longer shows it).
 */
import type { Tx } from '../../../platform/db/database.ts'
import { pathsRepository } from './paths.repository.ts'

export interface PathPrerequisite {
  courseId: string
  slug: string
  title: string
  /** The published paths that require it, by slug. */
  paths: Array<{ id: string; slug: string }>
}

export async function pathPrerequisitesOf(tx: Tx, courseId: string): Promise<PathPrerequisite[]> {
  const required = new Map<string, PathPrerequisite>()
  for (const row of await pathsRepository.prerequisitesOf(tx, courseId)) {
    const entry = required.get(row.courseId) ?? { courseId: row.courseId, slug: row.slug, title: row.title, paths: [] }
    entry.paths.push({ id: row.pathId, slug: row.pathSlug })
    required.set(row.courseId, entry)
  }
  return [...required.values()]
}
