/** Member and role management for tenant administrators and operators (composed by ../index.ts). */
import type { Database } from '../../../platform/db/database.ts'
import { membersRoutes } from './members.routes.ts'
import { createMembersService } from './members.service.ts'

export function createMembers(deps: { database: Database }) {
  return { routes: membersRoutes(createMembersService(deps)) }
}
