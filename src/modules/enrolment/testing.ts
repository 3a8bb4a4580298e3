/**
 * Test helpers of the enrolment module, for its own tests and other modules': members with real
 * user rows, and the enrolment calls over HTTP on a tenant.
 */
import { randomUUID } from 'node:crypto'
import { asc, eq } from 'drizzle-orm'
import type { TestApp } from '../../../test/build-test-app.ts'
import { tenantScope, type Tx } from '../../platform/db/database.ts'
import type { TenantRole } from '../../platform/http/permissions.ts'
import { systemContext } from '../../platform/http/request-context.ts'
import { users } from '../identity/testing.ts'
import {
  checkGrantAdmission,
  grantAccess,
  revokeGrants,
  type GrantAccessInput,
  type GrantAdmissionInput,
  type RevokeGrantsInput,
} from './access-grants.ts'
import { expireEnrolments } from './enrolment.jobs.ts'
import { accessGrants, enrolments } from './enrolment.tables.ts'

/** The enrolments and grants tables, for other modules' tests that set up or inspect rows (shipped code asks index.ts). */
export { accessGrants, enrolments }

export interface TestMember {
  userId: string
  email: string
  token: string
}

/** An active user row of the tenant (identity's table) and a token carrying `roles`. */
export async function createMember(
  t: TestApp,
  tenantId: string,
  roles: TenantRole[] = ['learner'],
): Promise<TestMember> {
  const email = `member.${randomUUID().slice(0, 12)}@example.org`
  const [row] = await t.platform.database.transaction(tenantScope(tenantId), (tx) =>
    tx.insert(users).values({ tenantId, email, displayName: null }).returning({ id: users.id }),
  )
  if (!row) throw new Error('user insert returned no row')
  return { userId: row.id, email, token: await t.tokenFor(tenantId, roles, row.id) }
}

export function enrolmentClient(t: TestApp) {
  const call = (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    token: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) =>
    t.app.inject({
      method,
      url,
      headers: { ...t.auth(token), ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    })
  return {
    call,
    selfEnrol: (courseId: string, token: string, headers: Record<string, string> = {}) =>
      call('POST', `/v1/courses/${courseId}/enrolments/self`, token, undefined, headers),
    enrol: (courseId: string, token: string, body: { userId: string; expiresAt?: string | null }) =>
      call('POST', `/v1/courses/${courseId}/enrolments`, token, body),
    readLesson: (courseId: string, lessonId: string, token: string) =>
      call('GET', `/v1/learn/courses/${courseId}/lessons/${lessonId}`, token),
  }
}

type OfTenant<T> = Omit<T, 'tenantId'>

/**
 * The access API (what app.ts hands the commerce modules as `enrolment.access`) on one tenant,
 * each call in its own tenant transaction unless given one; plus the rows to check it by.
 */
export function accessGrantsClient(t: TestApp, tenantId: string) {
  const { database, events } = t.platform
  const { notify } = t.modules.notifications
  const ctx = systemContext(database, tenantId, 'test:access-grants')
  const inTenant = <T>(work: (tx: Tx) => Promise<T>, tx?: Tx): Promise<T> =>
    tx ? work(tx) : database.transaction(tenantScope(tenantId), work)
  return {
    ctx,
    inTenant,
    grant: (input: OfTenant<GrantAccessInput>, tx?: Tx) =>
      inTenant((inner) => grantAccess(inner, ctx, events, { tenantId, ...input }), tx),
    revoke: (input: OfTenant<RevokeGrantsInput>, tx?: Tx) =>
      inTenant((inner) => revokeGrants(inner, ctx, events, { tenantId, ...input }), tx),
    check: (input: OfTenant<GrantAdmissionInput>, tx?: Tx) =>
      inTenant((inner) => checkGrantAdmission(inner, ctx, { tenantId, ...input }), tx),
    /** The expiry job's run at `now` (every tenant of the database). */
    expire: (now: Date) => expireEnrolments({ database, events, notify }, now),
    enrolment: async (id: string) =>
      (await inTenant((tx) => tx.select().from(enrolments).where(eq(enrolments.id, id))))[0],
    grantsOf: (enrolmentId: string) =>
      inTenant((tx) =>
        tx
          .select()
          .from(accessGrants)
          .where(eq(accessGrants.enrolmentId, enrolmentId))
          .orderBy(asc(accessGrants.createdAt), asc(accessGrants.id)),
      ),
  }
}
