/**
 * Test helpers of gamification: deliver a tenant's events now (tests run without a worker), the
 * HTTP calls, and the log and totals as rows.
 */
import { sql } from 'drizzle-orm'
import type { TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../platform/db/database.ts'

/** The gamification tables, for tests that bulk-load or inspect rows (shipped code asks index.ts). */
export { memberStats, pointEntries, pointTotals } from './gamification.tables.ts'

/** Dispatches every undelivered event of the tenant, oldest first, as the worker would. */
export async function deliverEvents(t: TestApp, tenantId: string): Promise<void> {
  const pending = await t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ id: string }>(
      tx,
      sql`SELECT id FROM platform.domain_events WHERE tenant_id = ${tenantId} AND dispatched_at IS NULL ORDER BY occurred_at, id`,
    ),
  )
  for (const event of pending) await t.platform.events.dispatch({ eventId: event.id, tenantId })
}

/**
 * Delivers every event of the tenant to gamification's subscribers again, as if their deliveries
 * had never been recorded (a replay): what the natural keys must make a no-op.
 */
export async function redeliverEverything(t: TestApp, tenantId: string): Promise<void> {
  const all = await t.platform.database.transaction(platformScope, async (tx) => {
    await tx.execute(
      sql`DELETE FROM platform.event_deliveries d USING platform.domain_events e
           WHERE d.event_id = e.id AND e.tenant_id = ${tenantId} AND d.subscriber LIKE 'gamification.%'`,
    )
    return rowsOf<{ id: string }>(
      tx,
      sql`SELECT id FROM platform.domain_events WHERE tenant_id = ${tenantId} ORDER BY occurred_at, id`,
    )
  })
  for (const event of all) await t.platform.events.dispatch({ eventId: event.id, tenantId })
}

export interface LoggedEntry {
  userId: string
  eventType: string
  points: number
  reason: string
}

/** The tenant's log, oldest first. */
export const logOf = (t: TestApp, tenantId: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<LoggedEntry>(
      tx,
      sql`SELECT user_id::text AS "userId", event_type AS "eventType", points, reason
            FROM gamification.point_entries WHERE tenant_id = ${tenantId} ORDER BY created_at, id`,
    ),
  )

export function gamificationClient(t: TestApp) {
  const call = (method: 'GET' | 'PUT' | 'PATCH', url: string, token: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: t.auth(token),
      ...(payload === undefined ? {} : { payload: payload as object }),
    })
  return {
    call,
    me: (token: string) => call('GET', '/v1/me/points', token),
    board: (communityId: string | null, token: string, query = '') =>
      call(
        'GET',
        communityId ? `/v1/communities/${communityId}/leaderboard${query}` : `/v1/leaderboard${query}`,
        token,
      ),
    myRank: (communityId: string | null, token: string, query = '') =>
      call(
        'GET',
        communityId ? `/v1/communities/${communityId}/leaderboard/me${query}` : `/v1/leaderboard/me${query}`,
        token,
      ),
    settings: (token: string, body: Record<string, unknown>) => call('PUT', '/v1/gamification/settings', token, body),
  }
}

/** The community calls these tests make (the community module's own helpers are its own). */
export function postCalls(t: TestApp) {
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: t.auth(token),
      ...(payload === undefined ? {} : { payload: payload as object }),
    })
  const base = (communityId: string) => `/v1/communities/${communityId}`
  return {
    call,
    post: (communityId: string, token: string, body: Record<string, unknown>) =>
      call('POST', `${base(communityId)}/posts`, token, body),
    comment: (communityId: string, postId: string, token: string, body: Record<string, unknown>) =>
      call('POST', `${base(communityId)}/posts/${postId}/comments`, token, body),
    react: (communityId: string, postId: string, kind: string, token: string, on = true) =>
      call(on ? 'PUT' : 'DELETE', `${base(communityId)}/posts/${postId}/reactions/${kind}`, token),
  }
}
