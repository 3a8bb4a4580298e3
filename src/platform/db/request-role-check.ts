/**
 * Row-level security protects tenants only while requests run as a role it applies to. `lyceum
 * doctor` reports on the roles; this check runs at every start, on the request pool itself, so a
 * deployment whose request role can escape RLS does not serve: a superuser or BYPASSRLS login
 * ignores every policy, and a member of lyceum_platform can `SET ROLE` to it and read every
 * tenant. `lyceum migrate` revokes lyceum_app's own membership, but DATABASE_APP_URL may name any
 * login role granted lyceum_app, and only the database knows what else that role was granted.
 *
 * Production refuses to start; other profiles log an error and go on (a developer pointing
 * DATABASE_APP_URL at the superuser still gets a working server). PGlite is one superuser
 * session by construction (ADR 0004): there is nothing to check.
 */
import type { Logger } from 'pino'
import { sql } from 'drizzle-orm'
import { anonymousScope, PLATFORM_ROLE, rowsOf, type Database } from './database.ts'

export interface RequestRoleFacts {
  login: string
  bypassesRls: boolean
  platformMember: boolean
}

/** What is wrong with the request pool's login role, or an empty list. */
export function requestRoleProblems(facts: RequestRoleFacts): string[] {
  const problems: string[] = []
  if (facts.bypassesRls) problems.push('is a superuser or has BYPASSRLS')
  if (facts.platformMember) problems.push(`can SET ROLE ${PLATFORM_ROLE} and read every tenant`)
  return problems
}

export async function checkRequestRole(
  database: Database,
  options: { refuse: boolean; logger: Logger },
): Promise<void> {
  if (database.kind !== 'postgres') return
  const [facts] = await database.transaction(anonymousScope, (tx) =>
    rowsOf<RequestRoleFacts>(
      tx,
      sql`select session_user as login, (r.rolsuper or r.rolbypassrls) as "bypassesRls",
        pg_has_role(session_user, ${PLATFORM_ROLE}, 'MEMBER') as "platformMember"
        from pg_roles r where r.rolname = session_user`,
    ),
  )
  if (!facts) return
  const problems = requestRoleProblems(facts)
  if (problems.length === 0) return
  const message = `The request role ${facts.login} (DATABASE_APP_URL) ${problems.join(' and ')}: tenants would not be isolated. Use a login role granted only lyceum_app, and run "lyceum migrate"; "lyceum doctor" shows the roles.`
  if (options.refuse) throw new Error(message)
  options.logger.error(message)
}
