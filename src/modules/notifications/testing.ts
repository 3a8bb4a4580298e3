/**
 * Test helpers of the notification center: members with an address and a language, domain events
 * written and dispatched as the worker would, and the mail and inbox rows they produce.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf, tenantScope } from '../../platform/db/database.ts'
import type { NotifyInput } from './notify.ts'

export interface TestMember {
  userId: string
  email: string
  token: string
}

/** A member of the tenant with a display name and (optionally) a locale. */
export async function memberOf(
  t: TestApp,
  tenantId: string,
  options: { locale?: string; displayName?: string; roles?: Parameters<TestApp['tokenFor']>[1] } = {},
): Promise<TestMember> {
  const userId = randomUUID()
  const token = await t.tokenFor(tenantId, options.roles ?? ['learner'], userId)
  const [row] = await t.platform.database.transaction(platformScope, async (tx) => {
    await tx.execute(
      sql`UPDATE identity.users SET display_name = ${options.displayName ?? 'Ada'}, locale = ${options.locale ?? null} WHERE id = ${userId}`,
    )
    return rowsOf<{ email: string }>(tx, sql`SELECT email FROM identity.users WHERE id = ${userId}`)
  })
  return { userId, email: row!.email, token }
}

/** Calls notify in a transaction of the tenant, as a subscriber or a module would. */
export function notifyNow(t: TestApp, input: NotifyInput) {
  return t.platform.database.transaction(tenantScope(input.tenantId), (tx) => t.modules.notifications.notify(tx, input))
}

/** Writes a domain event of the tenant (as publish does) and returns its id. */
export async function recordEvent(t: TestApp, tenantId: string, type: string, payload: Record<string, unknown>) {
  const [row] = await t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ id: string }>(
      tx,
      sql`INSERT INTO platform.domain_events (tenant_id, type, payload) VALUES (${tenantId}, ${type}, ${JSON.stringify(payload)}::jsonb) RETURNING id`,
    ),
  )
  return row!.id
}

export interface StoredMail {
  id: string
  subject: string
  text_body: string
  html_body: string | null
  from_address: string
  message_key: string
  status: string
}

/** Every mail message to the address (any status), oldest first. */
export function mailsTo(t: TestApp, to: string): Promise<StoredMail[]> {
  return t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<StoredMail>(
      tx,
      sql`SELECT id, subject, text_body, html_body, from_address, message_key, status FROM platform.mail_messages WHERE lower(to_address) = lower(${to}) ORDER BY created_at, id`,
    ),
  )
}

/** The member's inbox rows, as stored. */
export function inboxRowsOf(t: TestApp, userId: string) {
  return t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ id: string; type: string; title: string; body: string; event_id: string }>(
      tx,
      sql`SELECT id, type, title, body, event_id FROM notifications.inbox_items WHERE user_id = ${userId} ORDER BY created_at, id`,
    ),
  )
}

/** The deliveries of one occurrence. */
export function deliveriesOf(t: TestApp, eventId: string) {
  return t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ id: string; channel: string; status: string; reason: string | null; deliver_after: string | null }>(
      tx,
      sql`SELECT id, channel, status, reason, deliver_after FROM notifications.deliveries WHERE event_id = ${eventId} ORDER BY channel`,
    ),
  )
}
