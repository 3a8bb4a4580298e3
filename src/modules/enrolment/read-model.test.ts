/**
 * The read-model entry's SQL form of the expiry rule (enrolmentActiveAt) agrees with the rule
 * itself (enrolmentStanding) on every kind of row, so a read model that filters in SQL and the
 * services that decide in TypeScript never disagree about who may still learn.
 */
import { randomUUID } from 'node:crypto'
import { inArray, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { tenantScope } from '../../platform/db/database.ts'
import { enrolmentStanding } from './entitlement.ts'
import { enrolmentActiveAt, enrolments } from './read-model.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

describe('enrolmentActiveAt', () => {
  it('selects exactly the enrolments whose standing is active at the instant', async () => {
    const tenant = await t.createTenant()
    const now = new Date('2027-05-01T12:00:00.000Z')
    const cases = [
      { status: 'active', expiresAt: null },
      { status: 'active', expiresAt: new Date(now.getTime() + 1) },
      { status: 'active', expiresAt: now },
      { status: 'active', expiresAt: new Date(now.getTime() - 1) },
      { status: 'expired', expiresAt: new Date(now.getTime() + 86_400_000) },
      { status: 'expired', expiresAt: null },
      { status: 'cancelled', expiresAt: null },
      { status: 'cancelled', expiresAt: new Date(now.getTime() + 86_400_000) },
    ] as const
    const rows = await t.platform.database.transaction(tenantScope(tenant.id), async (tx) => {
      const inserted = await tx
        .insert(enrolments)
        .values(
          cases.map((c) => ({
            tenantId: tenant.id,
            userId: randomUUID(),
            courseId: randomUUID(),
            source: 'admin' as const,
            enrolledBy: 'test',
            status: c.status,
            expiresAt: c.expiresAt,
          })),
        )
        .returning({ id: enrolments.id, status: enrolments.status, expiresAt: enrolments.expiresAt })
      const flags = await tx
        .select({ id: enrolments.id, active: sql<boolean>`${enrolmentActiveAt(now)}` })
        .from(enrolments)
        .where(
          inArray(
            enrolments.id,
            inserted.map((row) => row.id),
          ),
        )
      return inserted.map((row) => ({ row, active: flags.find((f) => f.id === row.id)?.active }))
    })
    expect(rows).toHaveLength(cases.length)
    for (const { row, active } of rows)
      expect(active, `${row.status} until ${String(row.expiresAt?.toISOString())}`).toBe(
        enrolmentStanding(row, now) === 'active',
      )
  })
})
