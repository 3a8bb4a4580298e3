/**
 * Helpers for the authoring tests: HTTP calls with tokens and If-Match, and real instructors
 * (registered through the accounts API and granted the instructor role by an administrator).
 */
import { sql } from 'drizzle-orm'
import type { TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../../platform/db/database.ts'

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'

export function authoringClient(t: TestApp) {
  /** Reads across tenants through the audited platform scope (test assertions only). */
  const query = <T>(statement: ReturnType<typeof sql>) =>
    t.platform.database.transaction(platformScope, (tx) => rowsOf<T>(tx, statement))

  const call = (
    method: Method,
    url: string,
    token: string,
    options: { etag?: string | undefined; payload?: unknown } = {},
  ) =>
    t.app.inject({
      method,
      url,
      headers: { ...t.auth(token), ...(options.etag ? { 'if-match': options.etag } : {}) },
      ...(options.payload !== undefined ? { payload: options.payload as object } : {}),
    })

  async function createCourse(
    token: string,
    body: Record<string, unknown> = {},
  ): Promise<{ id: string; etag: string }> {
    const response = await call('POST', '/v1/courses', token, {
      payload: { slug: `c-${Math.random().toString(36).slice(2, 10)}`, title: 'A course', ...body },
    })
    if (response.statusCode !== 201) throw new Error(`create course failed: ${response.statusCode} ${response.body}`)
    return { id: response.json().id as string, etag: response.headers.etag as string }
  }

  async function etagOf(token: string, courseId: string): Promise<string> {
    const response = await call('GET', `/v1/courses/${courseId}`, token)
    if (response.statusCode !== 200) throw new Error(`get course failed: ${response.statusCode} ${response.body}`)
    return response.headers.etag as string
  }

  /** Adds a module and a lesson to it; returns their ids and the course's new ETag. */
  async function addModuleWithLesson(
    token: string,
    courseId: string,
    etag: string,
    lesson: Record<string, unknown> = {},
  ) {
    const module = await call('POST', `/v1/courses/${courseId}/modules`, token, { etag, payload: { title: 'Module' } })
    if (module.statusCode !== 201) throw new Error(`add module failed: ${module.statusCode} ${module.body}`)
    const moduleId = module.json().id as string
    const created = await call('POST', `/v1/courses/${courseId}/modules/${moduleId}/lessons`, token, {
      etag: module.headers.etag as string,
      payload: { kind: 'text', title: 'Lesson', body: '# Hello', ...lesson },
    })
    if (created.statusCode !== 201) throw new Error(`add lesson failed: ${created.statusCode} ${created.body}`)
    return { moduleId, lessonId: created.json().id as string, etag: created.headers.etag as string }
  }

  /** A registered member of the tenant holding the instructor role (granted by an administrator), and a token for them. */
  async function realInstructor(tenant: { id: string; slug: string }): Promise<{ userId: string; token: string }> {
    // Registered through the identity module's public API (catalogue tests do not reach into identity's files).
    const email = `instructor.${Math.random().toString(36).slice(2, 10)}@example.org`
    const registered = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      headers: { host: `${tenant.slug}.localhost` },
      payload: { email, password: 'violet-harbour-7-lantern' },
    })
    if (registered.statusCode !== 202) throw new Error(`register failed: ${registered.statusCode} ${registered.body}`)
    const [user] = await query<{ id: string }>(
      sql`SELECT id FROM identity.users WHERE tenant_id = ${tenant.id} AND email = ${email}`,
    )
    if (!user) throw new Error('registered user not found')
    const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
    const granted = await t.app.inject({
      method: 'PUT',
      url: `/v1/members/${user.id}/roles/instructor`,
      headers: t.auth(admin),
    })
    if (granted.statusCode !== 200) throw new Error(`grant instructor failed: ${granted.statusCode} ${granted.body}`)
    return { userId: user.id, token: await t.tokenFor(tenant.id, ['instructor'], user.id) }
  }

  return { call, createCourse, etagOf, addModuleWithLesson, realInstructor, query }
}
