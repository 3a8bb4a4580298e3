/**
 * Test helpers of the community module: the HTTP calls on a tenant, a community with its owner,
 * the backfill job run in place, and the audit actions of a target.
 */
import { sql } from 'drizzle-orm'
import type { TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../platform/db/database.ts'
import type { TenantRole } from '../../platform/http/permissions.ts'
import { createMember, type TestMember } from '../enrolment/testing.ts'
import { backfillCourseMembers } from './course-link.ts'
import { memberships } from './community.tables.ts'

/** The memberships table, for tests that move a row's facts in time (shipped code asks index.ts). */
export { memberships }

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export function communityClient(t: TestApp) {
  const call = (method: Method, url: string, token: string, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method,
      url,
      headers: { ...t.auth(token), ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    })
  const base = (communityId: string) => `/v1/communities/${communityId}`
  return {
    call,
    create: (token: string, body: Record<string, unknown>) => call('POST', '/v1/communities', token, body),
    join: (communityId: string, token: string) => call('POST', `${base(communityId)}/join`, token),
    leave: (communityId: string, token: string) => call('DELETE', `${base(communityId)}/membership`, token),
    member: (communityId: string, userId: string, token: string) =>
      call('GET', `${base(communityId)}/members/${userId}`, token),
    approve: (communityId: string, userId: string, token: string) =>
      call('POST', `${base(communityId)}/join-requests/${userId}/approve`, token),
    ban: (communityId: string, userId: string, token: string, reason?: string) =>
      call('PUT', `${base(communityId)}/members/${userId}/ban`, token, reason ? { reason } : {}),
    unban: (communityId: string, userId: string, token: string) =>
      call('DELETE', `${base(communityId)}/members/${userId}/ban`, token),
    suspend: (communityId: string, userId: string, token: string, until: Date) =>
      call('PUT', `${base(communityId)}/members/${userId}/suspension`, token, { until: until.toISOString() }),
    setRole: (communityId: string, userId: string, token: string, body: Record<string, unknown>) =>
      call('PUT', `${base(communityId)}/members/${userId}/role`, token, body),
    invite: (communityId: string, userId: string, token: string) =>
      call('POST', `${base(communityId)}/invitations`, token, { userId }),
    accept: (communityId: string, invitationId: string, token: string) =>
      call('POST', `${base(communityId)}/invitations/${invitationId}/accept`, token),
    grant: (communityId: string, token: string, body: { userId: string; sourceRef: string }) =>
      call('POST', `${base(communityId)}/grants`, token, body),
    revokeGrant: (communityId: string, sourceRef: string, token: string) =>
      call('DELETE', `${base(communityId)}/grants/${sourceRef}`, token),
    add: (communityId: string, userId: string, token: string) =>
      call('POST', `${base(communityId)}/members`, token, { userId }),
    channel: (communityId: string, token: string, body: Record<string, unknown>) =>
      call('POST', `${base(communityId)}/channels`, token, body),
    channelAccess: (communityId: string, channelId: string, token: string) =>
      call('GET', `${base(communityId)}/channels/${channelId}/access`, token),
  }
}

export interface CommunityFixture {
  tenantId: string
  owner: TestMember
  communityId: string
  member(roles?: TenantRole[]): Promise<TestMember>
}

/** A tenant (new unless given) with an instructor who owns a community of the given visibility. */
export async function buildCommunity(
  t: TestApp,
  body: { visibility: 'public' | 'private' | 'paid'; courseId?: string },
  tenantId?: string,
  owner?: TestMember,
): Promise<CommunityFixture> {
  const tenant = tenantId ?? (await t.createTenant()).id
  const creator = owner ?? (await createMember(t, tenant, ['instructor']))
  const slug = `c-${Math.random().toString(36).slice(2, 10)}`
  const response = await communityClient(t).create(creator.token, { slug, name: `Community ${slug}`, ...body })
  if (response.statusCode !== 201) throw new Error(`community not created: ${response.statusCode} ${response.body}`)
  return {
    tenantId: tenant,
    owner: creator,
    communityId: (response.json() as { id: string }).id,
    member: (roles: TenantRole[] = ['learner']) => createMember(t, tenant, roles),
  }
}

/** The course backfill of a community, run now (what its job does). */
export const runBackfill = (t: TestApp, tenantId: string, communityId: string) =>
  backfillCourseMembers({ database: t.platform.database, events: t.platform.events }, { tenantId, communityId })

export const auditActions = (t: TestApp, tenantId: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ action: string; outcome: string }>(
      tx,
      sql`SELECT action, outcome FROM platform.audit_log WHERE tenant_id = ${tenantId} AND action LIKE 'community.%' ORDER BY occurred_at`,
    ),
  )

export const domainEventTypes = (t: TestApp, tenantId: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ type: string; payload: Record<string, unknown> }>(
      tx,
      sql`SELECT type, payload FROM platform.domain_events WHERE tenant_id = ${tenantId} AND type LIKE 'community.%' ORDER BY occurred_at, id`,
    ),
  )

/** Delivers the tenant's community events of `type` to their subscribers now (what the dispatch job does). */
export async function dispatchCommunityEvents(t: TestApp, tenantId: string, type: string): Promise<number> {
  const pending = await t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ id: string }>(
      tx,
      sql`SELECT id FROM platform.domain_events WHERE tenant_id = ${tenantId} AND type = ${type} ORDER BY occurred_at, id`,
    ),
  )
  for (const event of pending) await t.platform.events.dispatch({ eventId: event.id, tenantId })
  return pending.length
}
