/**
 * Test helpers of the social module: members of a fresh tenant with their tokens, and calls to
 * the API as one of them. Accounts are made through identity's testing.ts (verified email,
 * created now); `ageAccount` and `unverifyEmail` change them there for the DM minimum's tests.
 */
import { randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { tenantScope, type Tx } from '../../platform/db/database.ts'
import type { TenantRole } from '../../platform/http/permissions.ts'
import { users } from '../identity/testing.ts'
import type { TestApp } from '../../../test/build-test-app.ts'

export interface Member {
  id: string
  token: string
}

export interface SocialHarness {
  tenant: { id: string; slug: string }
  member(roles?: TenantRole[]): Promise<Member>
  call(
    method: InjectOptions['method'],
    url: string,
    as: Member | null,
    payload?: object,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>
  /** Makes the member's account `days` old. */
  ageAccount(member: Member, days: number): Promise<void>
  unverifyEmail(member: Member): Promise<void>
}

export async function socialHarness(t: TestApp, tenant?: { id: string; slug: string }): Promise<SocialHarness> {
  const own = tenant ?? (await t.createTenant())
  const inTenant = (work: (tx: Tx) => Promise<unknown>) => t.platform.database.transaction(tenantScope(own.id), work)
  return {
    tenant: own,
    async member(roles = ['learner']) {
      const id = randomUUID()
      return { id, token: await t.tokenFor(own.id, roles, id) }
    },
    call(method, url, as, payload, headers = {}) {
      return t.app.inject({
        method,
        url,
        headers: { ...(as ? t.auth(as.token) : {}), ...headers },
        ...(payload ? { payload } : {}),
      })
    },
    async ageAccount(member, days) {
      await inTenant((tx) =>
        tx
          .update(users)
          .set({ createdAt: sql`now() - make_interval(days => ${days})` })
          .where(eq(users.id, member.id)),
      )
    },
    async unverifyEmail(member) {
      await inTenant((tx) => tx.update(users).set({ emailVerifiedAt: null }).where(eq(users.id, member.id)))
    },
  }
}
