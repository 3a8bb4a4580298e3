import { describe, expect, it } from 'vitest'
import { AppError } from '../../../platform/errors.ts'
import { TENANT_ROLES } from '../../../platform/http/permissions.ts'
import {
  OPERATOR_LEVEL,
  ROLE_LEVELS,
  assertAdminRemains,
  assertMayChangeRole,
  assertMayChangeStatus,
  assertOutranks,
  levelOf,
  parseRole,
  type Actor,
} from './members.policy.ts'

const admin: Actor = { userId: 'admin-1', level: levelOf(['tenant_admin']), impersonated: false }
const moderator: Actor = { userId: 'mod-1', level: levelOf(['learner', 'moderator']), impersonated: false }
const operator: Actor = { userId: null, level: OPERATOR_LEVEL, impersonated: false }

function codeOf(action: () => void): string | undefined {
  try {
    action()
    return undefined
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    return `${error.status} ${error.code}`
  }
}

describe('member policy', () => {
  it('ranks every role, with tenant_admin strictly above all others', () => {
    expect(Object.keys(ROLE_LEVELS).sort()).toEqual([...TENANT_ROLES].sort())
    for (const role of TENANT_ROLES.filter((r) => r !== 'tenant_admin'))
      expect(ROLE_LEVELS[role]).toBeLessThan(ROLE_LEVELS.tenant_admin)
    expect(levelOf(['learner', 'finance'])).toBe(ROLE_LEVELS.finance)
    expect(levelOf([])).toBeLessThan(ROLE_LEVELS.learner)
  })

  it('accepts known roles and refuses anything else with 400 UNKNOWN_ROLE', () => {
    expect(parseRole('instructor')).toBe('instructor')
    expect(codeOf(() => parseRole('operator'))).toBe('400 UNKNOWN_ROLE')
    expect(codeOf(() => parseRole('Tenant_Admin'))).toBe('400 UNKNOWN_ROLE')
  })

  it('lets an administrator grant or revoke any role of someone else', () => {
    for (const role of TENANT_ROLES) expect(codeOf(() => assertMayChangeRole(admin, 'user-2', role))).toBeUndefined()
  })

  it('lets an operator change any role of any member', () => {
    for (const role of TENANT_ROLES) expect(codeOf(() => assertMayChangeRole(operator, 'user-2', role))).toBeUndefined()
    expect(codeOf(() => assertOutranks(operator, ['tenant_admin']))).toBeUndefined()
  })

  it('refuses changes to your own roles, even downwards', () => {
    expect(codeOf(() => assertMayChangeRole(admin, 'admin-1', 'learner'))).toBe('403 SELF_ROLE_CHANGE')
    expect(codeOf(() => assertMayChangeStatus(admin, 'admin-1'))).toBe('403 SELF_ROLE_CHANGE')
  })

  it('refuses roles ranking above the actor', () => {
    expect(codeOf(() => assertMayChangeRole(moderator, 'user-2', 'instructor'))).toBeUndefined()
    expect(codeOf(() => assertMayChangeRole(moderator, 'user-2', 'finance'))).toBeUndefined()
    expect(codeOf(() => assertMayChangeRole(moderator, 'user-2', 'tenant_admin'))).toBe('403 ROLE_LEVEL_TOO_LOW')
    expect(codeOf(() => assertOutranks(moderator, ['tenant_admin']))).toBe('403 ROLE_LEVEL_TOO_LOW')
    expect(codeOf(() => assertOutranks(moderator, ['moderator']))).toBeUndefined()
  })

  it('refuses every change while impersonating', () => {
    const impersonated = { ...admin, impersonated: true }
    expect(codeOf(() => assertMayChangeRole(impersonated, 'user-2', 'learner'))).toBe('403 IMPERSONATION_FORBIDDEN')
    expect(codeOf(() => assertMayChangeStatus(impersonated, 'user-2'))).toBe('403 IMPERSONATION_FORBIDDEN')
  })

  it('keeps at least one active administrator', () => {
    expect(codeOf(() => assertAdminRemains({ removesActiveAdmin: true, otherActiveAdmins: 0 }))).toBe(
      '409 LAST_TENANT_ADMIN',
    )
    expect(codeOf(() => assertAdminRemains({ removesActiveAdmin: true, otherActiveAdmins: 1 }))).toBeUndefined()
    expect(codeOf(() => assertAdminRemains({ removesActiveAdmin: false, otherActiveAdmins: 0 }))).toBeUndefined()
  })
})
