/**
 * Real principals for tests and the benchmark, without going through sign-up: a tenant member
 * (user row, memberships and a live session, no password so no argon2 cost) with an access token
 * bound to that session, and a platform operator created and signed in through the operator
 * service (password + TOTP). The tokens are exactly what a client would hold, so the per-request
 * session checks run as in production.
 */
import { randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { platformScope, tenantScope, type Database } from '../../platform/db/database.ts'
import type { TenantRole } from '../../platform/http/permissions.ts'
import { systemContext } from '../../platform/http/request-context.ts'
import { memberships, sessions, users } from './identity.tables.ts'
import type { IdentityModule } from './index.ts'
import { operatorsRepository } from './operators/operators.repository.ts'

/** The users table, for other modules' tests that set up or inspect user rows (shipped code asks user-directory.ts). */
export { users } from './identity.tables.ts'

/** A harness operator's session length (sign-in sessions last 8 h). */
const OPERATOR_SESSION_SECONDS = 8 * 3600

export interface IdentityHarness {
  database: Database
  identity: IdentityModule
}

/** Lifetime of a harness member's session; its access tokens still last 15 minutes. */
const MEMBER_SESSION_SECONDS = 24 * 3600

/**
 * An access token (with sid) of a member of `tenantId` holding `roles`. A given `userId` is reused
 * when it exists (the missing roles are added) and created with that id otherwise.
 */
export async function memberToken(
  harness: IdentityHarness,
  tenantId: string,
  roles: readonly TenantRole[],
  userId: string = randomUUID(),
): Promise<string> {
  const { sessionId, heldRoles } = await harness.database.transaction(tenantScope(tenantId), async (tx) => {
    await tx
      .insert(users)
      .values({
        id: userId,
        tenantId,
        email: `member-${userId}@members.lyceum.test`,
        displayName: 'Test member',
        emailVerifiedAt: sql`now()`,
      })
      .onConflictDoNothing({ target: users.id })
    // RLS hides other tenants' users: an id taken there must not get a session here.
    const [own] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId))
    if (!own) throw new Error(`memberToken: user ${userId} belongs to another tenant`)
    if (roles.length > 0)
      await tx
        .insert(memberships)
        .values(roles.map((role) => ({ tenantId, userId, role, grantedBy: 'test-harness' })))
        .onConflictDoNothing()
    const [session] = await tx
      .insert(sessions)
      .values({
        tenantId,
        userId,
        userAgent: 'test-harness',
        expiresAt: sql`now() + make_interval(secs => ${MEMBER_SESSION_SECONDS})`,
      })
      .returning({ id: sessions.id })
    const held = await tx.select({ role: memberships.role }).from(memberships).where(eq(memberships.userId, userId))
    return { sessionId: session!.id, heldRoles: held.map((row) => row.role as TenantRole).sort() }
  })
  return harness.identity.accessTokens.issue({ userId, tenantId, roles: heldRoles, sessionId })
}

export interface HarnessOperator {
  id: string
  email: string
  password: string
  totpSecret: string
  accessToken: string
  sessionId: string
}

/**
 * A new operator with a known password and TOTP secret, and a live session with its access token.
 * The session is opened directly (as memberToken does for members) rather than through sign-in,
 * so a harness app works even when the sign-in throttle's store is down; operators.test.ts covers
 * the sign-in itself.
 */
export async function signedInOperator(harness: IdentityHarness, label = 'harness'): Promise<HarnessOperator> {
  const email = `${label}-${randomUUID().slice(0, 8)}@operators.lyceum.test`
  const password = `${randomUUID()}-Quillwort`
  const { operators, accessTokens } = harness.identity
  const created = await operators.accounts.create(systemContext(harness.database, null, 'test-harness'), {
    email,
    displayName: `Operator ${label}`,
    password,
  })
  const session = await harness.database.transaction(platformScope, (tx) =>
    operatorsRepository.createSession(tx, {
      operatorId: created.id,
      ttlSeconds: OPERATOR_SESSION_SECONDS,
      ipHash: 'test-harness',
    }),
  )
  const accessToken = await accessTokens.issueOperator({ operatorId: created.id, sessionId: session.id })
  return { id: created.id, email, password, totpSecret: created.totpSecret, accessToken, sessionId: session.id }
}
