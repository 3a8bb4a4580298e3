/** Member and role management for tenant administrators and operators (composed by ../index.ts). */
import type { Database } from '../../../platform/db/database.ts'
import type { IdentityEvents } from '../identity-events.ts'
import { membersRoutes } from './members.routes.ts'
import { createMembersService } from './members.service.ts'

export function createMembers(deps: { database: Database; events: IdentityEvents }) {
  return { routes: membersRoutes(createMembersService(deps)) }
}
