/**
 * The asset library's part in publishing a course (a catalogue PublicationParticipant): a lesson
 * that names an asset can be submitted, approved or published only when that asset exists in the
 * tenant and is deliverable (clean; unscanned outside production). A pending, infected, rejected
 * or unknown asset refuses the step with 422 LESSON_ASSET_NOT_READY naming each lesson. Delivery
 * checks the state again on every download, so an asset quarantined after publication (a re-scan)
 * is never served either.
 */
import { inArray } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import type { DraftLesson, PublicationParticipant } from '../catalogue/index.ts'
import { assetErrors } from './assets.errors.ts'
import { assets } from './assets.tables.ts'
import { isDeliverable, type AssetState } from './assets.vocabulary.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export function assetPublication(production: boolean): PublicationParticipant {
  async function check(tx: Tx, _courseId: string, lessons: readonly DraftLesson[]): Promise<void> {
    const using = lessons.filter((l): l is DraftLesson & { assetRef: string } => l.assetRef !== null)
    if (using.length === 0) return
    const ids = [...new Set(using.map((l) => l.assetRef).filter((ref) => UUID.test(ref)))]
    const rows =
      ids.length === 0
        ? []
        : await tx.select({ id: assets.id, state: assets.state }).from(assets).where(inArray(assets.id, ids))
    const states = new Map<string, AssetState>(rows.map((r) => [r.id, r.state]))
    const problems = using.flatMap((lesson) => {
      const state = states.get(lesson.assetRef)
      if (state && isDeliverable(state, production)) return []
      const problem = state ? `asset is ${state}` : 'no such asset in this tenant'
      return [{ lessonId: lesson.id, assetRef: lesson.assetRef, problem }]
    })
    if (problems.length > 0) throw assetErrors.lessonAssetsNotReady(problems)
  }
  return {
    check,
    // Nothing of the asset is frozen into the version: the reference is (in the lesson), and the
    // asset's bytes never change under its id.
    changedSince: async () => false,
    freeze: async () => undefined,
  }
}
