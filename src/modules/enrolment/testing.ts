/**
 * Test helpers of the enrolment module, for its own tests and other modules': members with real
 * user rows, and the enrolment calls over HTTP on a tenant.
 */
import { randomUUID } from 'node:crypto'
import type { TestApp } from '../../../test/build-test-app.ts'
import { tenantScope } from '../../platform/db/database.ts'
import type { TenantRole } from '../../platform/http/permissions.ts'
import { users } from '../identity/testing.ts'

/** The enrolments table, for other modules' tests that set up or inspect rows (shipped code asks index.ts). */
export { enrolments } from './enrolment.tables.ts'

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
