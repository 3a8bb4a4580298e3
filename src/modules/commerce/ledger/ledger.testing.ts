/**
 * Test helpers for the ledger's own tests (and orders' later): a tenant with a course taught by
 * several instructors, postings in a tenant transaction, balances keyed for comparison, and
 * the owner connection for what the request roles cannot do.
 */
import type { TestApp } from '../../../../test/build-test-app.ts'
import { testDatabaseUrl } from '../../../../test/build-test-app.ts'
import { tenantScope, type Tx } from '../../../platform/db/database.ts'
import { pgliteOwner, postgresOwner, type OwnerConnection } from '../../../platform/db/owner-connection.ts'
import { buildCourse } from '../../catalogue/testing.ts'
import { createMember } from '../../enrolment/testing.ts'
import { accountBalances } from './queries.ts'

export const inTenant = <T>(t: TestApp, tenantId: string, work: (tx: Tx) => Promise<T>) =>
  t.platform.database.transaction(tenantScope(tenantId), work)

/** A tenant and a course owned by the first of `instructors` instructors (the rest co-teach). */
export async function tenantWithCourse(t: TestApp, instructors = 1) {
  const tenant = await t.createTenant()
  const staff = []
  for (let i = 0; i < instructors; i++) staff.push(await createMember(t, tenant.id, ['instructor']))
  const [owner, ...co] = staff
  if (!owner) throw new Error('a course needs an instructor')
  const { courseId } = await buildCourse(t.platform.database, tenant.id, owner.userId, {
    coInstructorIds: co.map((member) => member.userId),
  })
  return { tenant, courseId, instructors: staff }
}

/** Natural balances keyed `kind[:holder]:currency`, zero balances left out. */
export async function balances(t: TestApp, tenantId: string): Promise<Record<string, number>> {
  const rows = await inTenant(t, tenantId, (tx) => accountBalances(tx, tenantId))
  const out: Record<string, number> = {}
  for (const row of rows) {
    if (row.balance === 0) continue
    const holder = row.userId ?? row.provider
    out[`${row.kind}${holder ? `:${holder}` : ''}:${row.currency}`] = row.balance
  }
  return out
}

export async function ownerConnection(t: TestApp): Promise<OwnerConnection> {
  if (t.config.database.kind === 'postgres') return postgresOwner(testDatabaseUrl())
  if (!t.platform.pglite) throw new Error('embedded test app without PGlite')
  return pgliteOwner(t.platform.pglite)
}

/** The SQLSTATE and message behind a driver/ORM error (Drizzle wraps it in `cause`). */
export function databaseError(error: unknown): { code: string; message: string } {
  let current: unknown = error
  while (current && typeof current === 'object') {
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown }
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code))
      return { code: candidate.code, message: String(candidate.message) }
    current = candidate.cause
  }
  return { code: 'none', message: String(error) }
}

/** Runs `work`, which must fail; returns `SQLSTATE message` (or "succeeded"). */
export async function failure(work: () => Promise<unknown>): Promise<string> {
  try {
    await work()
    return 'succeeded'
  } catch (error) {
    const { code, message } = databaseError(error)
    return `${code} ${message}`
  }
}
