/**
 * The demo tenant's administrator of a development install (src/seed.ts): a verified user with a
 * real argon2id password and the tenant_admin role, so the tour signs in like any client would.
 * Never called in production (serve seeds only outside it).
 */
import { randomUUID } from 'node:crypto'
import { recordAudit } from '../../platform/audit/audit.ts'
import { tenantScope, type Database } from '../../platform/db/database.ts'
import { systemContext } from '../../platform/http/request-context.ts'
import { normaliseEmail } from './accounts/email-address.ts'
import { memberships, users } from './identity.tables.ts'
import { hashPassword } from './passwords/password-hasher.ts'
import { assertPasswordPolicy } from './passwords/password-policy.ts'

/** Creates the administrator unless the tenant already has a user with this email; true when created. */
export async function createDemoAdmin(
  database: Database,
  input: { tenantId: string; email: string; displayName: string; password: string },
): Promise<boolean> {
  const email = normaliseEmail(input.email)
  assertPasswordPolicy(input.password, { email })
  const passwordHash = await hashPassword(input.password)
  const { tenantId } = input
  const ctx = systemContext(database, tenantId, 'seed')
  return database.transaction(tenantScope(tenantId), async (tx) => {
    const id = randomUUID()
    const inserted = await tx
      .insert(users)
      .values({ id, tenantId, email, displayName: input.displayName, passwordHash, emailVerifiedAt: new Date() })
      .onConflictDoNothing({ target: [users.tenantId, users.email] })
      .returning({ id: users.id })
    if (inserted.length === 0) return false
    await tx.insert(memberships).values({ tenantId, userId: id, role: 'tenant_admin', grantedBy: 'seed' })
    await recordAudit(tx, ctx, {
      action: 'member.role_granted',
      targetType: 'user',
      targetId: id,
      details: { role: 'tenant_admin', seeded: true },
    })
    return true
  })
}
