/**
 * The accounts of a development install's demo tenant (src/seed/): verified users with real
 * argon2id passwords and their roles, so the tour signs in like any client would. Never called in
 * production (serve seeds them only in the development profile).
 */
import { eq } from 'drizzle-orm'
import { recordAudit } from '../../platform/audit/audit.ts'
import { tenantScope, type Database } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { TenantRole } from '../../platform/http/permissions.ts'
import { systemContext } from '../../platform/http/request-context.ts'
import { normaliseEmail } from './accounts/email-address.ts'
import { identityEvents } from './identity-events.ts'
import { memberships, users } from './identity.tables.ts'
import { hashPassword } from './passwords/password-hasher.ts'
import { assertPasswordPolicy } from './passwords/password-policy.ts'

export interface DemoMemberInput {
  tenantId: string
  email: string
  displayName: string
  password: string
  roles: readonly TenantRole[]
}

/**
 * Creates the member unless the tenant already has a user with this email (then nothing changes,
 * whatever its password or roles are now). The password is hashed only for a new account.
 */
export async function createDemoMember(
  platform: { database: Database; events: EventPublisher },
  input: DemoMemberInput,
): Promise<{ userId: string; created: boolean }> {
  const { database } = platform
  const email = normaliseEmail(input.email)
  const { tenantId } = input
  const scope = tenantScope(tenantId)
  const existing = await findUserId(database, tenantId, email)
  if (existing) return { userId: existing, created: false }
  assertPasswordPolicy(input.password, { email })
  // Hashed before the transaction: argon2 must not hold a database connection.
  const passwordHash = await hashPassword(input.password)
  const ctx = systemContext(database, tenantId, 'seed')
  const created = await database.transaction(scope, async (tx) => {
    const inserted = await tx
      .insert(users)
      .values({ tenantId, email, displayName: input.displayName, passwordHash, emailVerifiedAt: new Date() })
      .onConflictDoNothing({ target: [users.tenantId, users.email] })
      .returning({ id: users.id })
    const userId = inserted[0]?.id
    if (!userId) return undefined
    for (const role of input.roles) {
      await tx.insert(memberships).values({ tenantId, userId, role, grantedBy: 'seed' })
      await recordAudit(tx, ctx, {
        action: 'member.role_granted',
        targetType: 'user',
        targetId: userId,
        details: { role, seeded: true },
      })
    }
    await identityEvents(platform.events).userCreated(tx, ctx, {
      tenantId,
      userId,
      source: 'seed',
      roles: [...input.roles],
    })
    return userId
  })
  if (created) return { userId: created, created: true }
  // Created by a concurrent seed between the lookup and the insert.
  const raced = await findUserId(database, tenantId, email)
  if (!raced) throw new Error(`demo member ${email} could not be created`)
  return { userId: raced, created: false }
}

async function findUserId(database: Database, tenantId: string, email: string): Promise<string | undefined> {
  const rows = await database.transaction(tenantScope(tenantId), (tx) =>
    tx.select({ id: users.id }).from(users).where(eq(users.email, email)),
  )
  return rows[0]?.id
}
