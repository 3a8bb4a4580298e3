/**
 * The start-up check of the request role (security review of issue 9): a request pool whose login
 * can escape row-level security (superuser, BYPASSRLS, member of lyceum_platform) stops a
 * production start, where `lyceum doctor` alone would only have reported it.
 */
import { describe, expect, it } from 'vitest'
import { testDatabaseUrl } from '../../../test/build-test-app.ts'
import { createLogger } from '../observability/logger.ts'
import { APP_ROLE, PLATFORM_ROLE } from './database.ts'
import { createPostgresDatabase } from './postgres-database.ts'
import { checkRequestRole, requestRoleProblems } from './request-role-check.ts'

const serverMode = testDatabaseUrl() !== ''
const logger = createLogger('silent')

function as(role: string | undefined) {
  const url = new URL(testDatabaseUrl())
  if (role) url.username = role
  const platform = new URL(testDatabaseUrl())
  platform.username = PLATFORM_ROLE
  return createPostgresDatabase({
    url: url.toString(),
    poolMax: 1,
    platformUrl: platform.toString(),
    platformPoolMax: 1,
    logger,
  })
}

describe('the request role check', () => {
  it('names what lets a request role escape row-level security', () => {
    expect(requestRoleProblems({ login: 'lyceum_app', bypassesRls: false, platformMember: false })).toEqual([])
    expect(requestRoleProblems({ login: 'postgres', bypassesRls: true, platformMember: true })).toEqual([
      'is a superuser or has BYPASSRLS',
      `can SET ROLE ${PLATFORM_ROLE} and read every tenant`,
    ])
  })

  it.skipIf(!serverMode)(
    'passes the migrated request role and refuses a superuser login in production (PostgreSQL only: PGlite is one superuser session)',
    async () => {
      const app = as(APP_ROLE)
      const superuser = as(undefined)
      try {
        await expect(checkRequestRole(app, { refuse: true, logger })).resolves.toBeUndefined()
        await expect(checkRequestRole(superuser, { refuse: true, logger })).rejects.toThrow(
          /is a superuser or has BYPASSRLS.*tenants would not be isolated/,
        )
        // Outside production it is logged, not fatal.
        await expect(checkRequestRole(superuser, { refuse: false, logger })).resolves.toBeUndefined()
      } finally {
        await app.close()
        await superuser.close()
      }
    },
  )
})
