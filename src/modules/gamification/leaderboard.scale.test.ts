/**
 * Leaderboards at 100,000 members: the top page, a later page and a member's rank read the
 * partial index point_totals_board_idx (EXPLAIN shows no sequential scan), with no timing in the
 * assertions. And streak days counted in the member's own time zone, set with PATCH /v1/me.
 */
import { randomUUID } from 'node:crypto'
import { sql, type SQLWrapper } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf, tenantScope, type Tx } from '../../platform/db/database.ts'
import { createMember } from '../enrolment/testing.ts'
import { award } from './awards.ts'
import { aheadQuery, topQuery, type Board } from './leaderboard.ts'
import { memberStats } from './testing.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

const MEMBERS = 100_000

/** The plan of the statement `build` makes, under the tenant's row-level security as in a request. */
async function plan(tenantId: string, build: (tx: Tx) => SQLWrapper): Promise<string> {
  const rows = await t.platform.database.transaction(tenantScope(tenantId), (tx) =>
    rowsOf<Record<string, string>>(tx, sql`EXPLAIN ${build(tx)}`),
  )
  return rows.map((row) => Object.values(row)[0]).join('\n')
}

describe('leaderboard at scale', () => {
  it('pages and ranks 100,000 members through the board index', async () => {
    const tenant = await t.createTenant()
    const communityId = randomUUID()
    await t.platform.database.transaction(platformScope, async (tx) => {
      // One community board and the tenant board, 100,000 members each, in one statement apiece.
      for (const community of [communityId, null])
        await tx.execute(
          sql`INSERT INTO gamification.point_totals (tenant_id, community_id, period, user_id, points)
              SELECT ${tenant.id}::uuid, ${community}::uuid, 'all', gen_random_uuid(), 1 + (n * 7919) % 20000
                FROM generate_series(1, ${MEMBERS}) AS n`,
        )
    })
    // Statistics, as autovacuum would gather them after such a load (as the session's own role:
    // the request roles do not own the table).
    await t.platform.database.transaction(platformScope, async (tx) => {
      await tx.execute(sql`RESET ROLE`)
      await tx.execute(sql`ANALYZE gamification.point_totals`)
    })
    for (const board of [
      { tenantId: tenant.id, communityId, period: 'all' },
      { tenantId: tenant.id, communityId: null, period: 'all' },
    ] satisfies Board[]) {
      const top = await plan(tenant.id, (tx) => topQuery(board, undefined, 21)(tx))
      const later = await plan(tenant.id, (tx) => topQuery(board, [10_000, randomUUID()], 21)(tx))
      const rank = await plan(tenant.id, () => aheadQuery(board, 19_000))
      for (const text of [top, later, rank]) {
        expect(text).toContain('point_totals_board_idx')
        expect(text).not.toMatch(/Seq Scan|Sort/)
      }
      const [count] = await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
        rowsOf<{ ahead: number }>(tx, aheadQuery(board, 0)),
      )
      expect(count?.ahead).toBe(MEMBERS)
    }
  })
})

describe('streaks in the member’s time zone', () => {
  it('counts two days across Berlin’s midnight that are one day in UTC', async () => {
    const tenant = await t.createTenant()
    const berliner = await createMember(t, tenant.id)
    const utc = await createMember(t, tenant.id)
    const patch = (token: string, payload: unknown) =>
      t.app.inject({ method: 'PATCH', url: '/v1/me', headers: t.auth(token), payload: payload as object })
    expect((await patch(berliner.token, { timeZone: 'Mars/Olympus' })).json().code).toBe('TIME_ZONE_UNKNOWN')
    const set = await patch(berliner.token, { timeZone: 'Europe/Berlin' })
    expect(set.statusCode, set.body).toBe(200)
    expect(set.json()).toMatchObject({ timeZone: 'Europe/Berlin' })
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/me', headers: t.auth(berliner.token) })).json(),
    ).toMatchObject({ timeZone: 'Europe/Berlin' })
    // 23:30 and 00:30 in Berlin; 22:30 and 23:30 on the same day in UTC.
    const instants = [new Date('2026-01-10T22:30:00Z'), new Date('2026-01-10T23:30:00Z')]
    for (const member of [berliner, utc])
      for (const [index, at] of instants.entries())
        await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
          award(tx, {
            tenantId: tenant.id,
            userId: member.userId,
            communityId: null,
            type: 'lesson_completed',
            key: `lesson_completed:${member.userId}:${index}`,
            sourceEventId: null,
            at,
          }),
        )
    const streaks = await t.platform.database.transaction(tenantScope(tenant.id), (tx) => tx.select().from(memberStats))
    const of = (userId: string) => streaks.find((row) => row.userId === userId)
    expect(of(berliner.userId)).toMatchObject({ currentStreak: 2, longestStreak: 2, lastActiveDay: '2026-01-11' })
    expect(of(utc.userId)).toMatchObject({ currentStreak: 1, longestStreak: 1, lastActiveDay: '2026-01-10' })
  })
})
