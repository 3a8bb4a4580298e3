/** Pure rules of a path's course list: unique courses, prerequisites inside the path, no cycles. */
import { pathErrors } from './paths.errors.ts'

export interface PathCourseInput {
  courseId: string
  prerequisites: string[]
}

export function assertValidCourseList(list: PathCourseInput[]): void {
  const ids = new Set<string>()
  for (const { courseId } of list) {
    if (ids.has(courseId)) throw pathErrors.duplicateCourse(courseId)
    ids.add(courseId)
  }
  for (const { courseId, prerequisites } of list)
    for (const prerequisite of prerequisites)
      if (prerequisite === courseId || !ids.has(prerequisite))
        throw pathErrors.prerequisiteOutsidePath(courseId, prerequisite)
  const cycle = findCycle(new Map(list.map((c) => [c.courseId, [...new Set(c.prerequisites)]])))
  if (cycle) throw pathErrors.prerequisiteCycle(cycle)
}

/** A cycle in the prerequisite graph as [a, b, ..., a], or null (depth-first search with colours). */
export function findCycle(edges: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (node: string): string[] | null => {
    state.set(node, 'open')
    stack.push(node)
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next]
      if (state.get(next) === undefined) {
        const found = visit(next)
        if (found) return found
      }
    }
    stack.pop()
    state.set(node, 'done')
    return null
  }
  for (const node of edges.keys()) {
    if (state.get(node) === undefined) {
      const found = visit(node)
      if (found) return found
    }
  }
  return null
}
