/**
 * Test helpers of the progress module: deliver a tenant's pending domain events now (tests run
 * without a worker), and the learner's progress calls over HTTP.
 */
import { sql } from 'drizzle-orm'
import type { TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../platform/db/database.ts'

/** The progress tables, for other modules' tests that set up or inspect rows (shipped code asks index.ts). */
export { courseProgress, lessonProgress, lessonUnlocks } from './progress.tables.ts'

/** Dispatches every undelivered event of the tenant, oldest first, as the worker would. */
export async function dispatchPendingEvents(t: TestApp, tenantId: string): Promise<string[]> {
  const pending = await t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ id: string; type: string }>(
      tx,
      sql`SELECT id, type FROM platform.domain_events WHERE tenant_id = ${tenantId} AND dispatched_at IS NULL ORDER BY occurred_at, id`,
    ),
  )
  for (const event of pending) await t.platform.events.dispatch({ eventId: event.id, tenantId })
  return pending.map((event) => event.type)
}

export function progressClient(t: TestApp) {
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: t.auth(token),
      ...(payload === undefined ? {} : { payload: payload as object }),
    })
  return {
    call,
    start: (courseId: string, lessonId: string, token: string) =>
      call('POST', `/v1/learn/lessons/${lessonId}/start`, token, { courseId }),
    complete: (courseId: string, lessonId: string, token: string) =>
      call('POST', `/v1/learn/lessons/${lessonId}/complete`, token, { courseId }),
    record: (
      courseId: string,
      lessonId: string,
      token: string,
      body: { position?: unknown; timeSpentSeconds?: number },
    ) => call('PUT', `/v1/learn/lessons/${lessonId}/position`, token, { courseId, ...body }),
    courseProgress: (courseId: string, token: string) => call('GET', `/v1/learn/courses/${courseId}/progress`, token),
  }
}
