/**
 * Test helpers of moderation: HTTP calls, a case's opening moved into the past (what waiting
 * for its follow-ups would do), the follow-up jobs' handler run now, and the audit actions.
 */
import { eq, sql } from 'drizzle-orm'
import type { TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../platform/db/database.ts'
import { createLogger } from '../../platform/observability/logger.ts'
import { runFollowUp, type FollowUpKind } from './follow-up.ts'
import { cases } from './moderation.tables.ts'

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export function moderationClient(t: TestApp) {
  const call = (method: Method, url: string, token: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: t.auth(token),
      ...(payload === undefined ? {} : { payload: payload as object }),
    })
  return {
    call,
    report: (token: string, body: Record<string, unknown>) => call('POST', '/v1/moderation/reports', token, body),
    queue: (communityId: string, token: string, query = '') =>
      call('GET', `/v1/communities/${communityId}/moderation/cases${query}`, token),
    detail: (caseId: string, token: string) => call('GET', `/v1/moderation/cases/${caseId}`, token),
    act: (caseId: string, token: string, body: Record<string, unknown>) =>
      call('POST', `/v1/moderation/cases/${caseId}/actions`, token, body),
    undo: (actionId: string, token: string) => call('POST', `/v1/moderation/actions/${actionId}/undo`, token),
    close: (caseId: string, verb: 'dismiss' | 'resolve', token: string) =>
      call('POST', `/v1/moderation/cases/${caseId}/${verb}`, token),
    appeal: (actionId: string, token: string, statement = 'This was a misunderstanding') =>
      call('POST', `/v1/moderation/actions/${actionId}/appeal`, token, { statement }),
    decide: (appealId: string, token: string, decision: 'granted' | 'denied') =>
      call('POST', `/v1/moderation/appeals/${appealId}/decision`, token, { decision }),
  }
}

/** Moves the case's opening `hours` into the past. */
export async function ageCase(t: TestApp, caseId: string, hours: number): Promise<void> {
  const openedAt = new Date(Date.now() - hours * 3_600_000)
  await t.platform.database.transaction(platformScope, (tx) =>
    tx.update(cases).set({ openedAt }).where(eq(cases.id, caseId)),
  )
}

/** A follow-up job's handler, run now. */
export const runFollowUpNow = (t: TestApp, kind: FollowUpKind, tenantId: string, caseId: string) =>
  runFollowUp(
    {
      database: t.platform.database,
      events: t.platform.events,
      jobs: t.platform.jobs,
      logger: createLogger('silent'),
    },
    kind,
    { tenantId, caseId },
  )

/** The follow-up jobs queued for a case: their queue names. */
export const queuedFollowUps = (t: TestApp, caseId: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ name: string }>(
      tx,
      sql`SELECT name FROM pgboss.job WHERE name LIKE 'moderation.%' AND data->>'caseId' = ${caseId} ORDER BY name`,
    ),
  )

export const moderationAudit = (t: TestApp, tenantId: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ action: string }>(
      tx,
      sql`SELECT action FROM platform.audit_log WHERE tenant_id = ${tenantId} AND (action LIKE 'moderation.%' OR action LIKE 'community.member_%') ORDER BY occurred_at`,
    ),
  )

export const moderationEvents = (t: TestApp, tenantId: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ type: string }>(
      tx,
      sql`SELECT type FROM platform.domain_events WHERE tenant_id = ${tenantId} AND type LIKE 'moderation.%' ORDER BY occurred_at, id`,
    ),
  )
