import { describe, expect, it } from 'vitest'
import { permissionsOf } from '../../../platform/http/permissions.ts'
import { GRANTABLE_SCOPES, keyPermissions, parseScopes, scopeBeyond } from './api-keys.policy.ts'

describe('API key scopes', () => {
  it('are tenant permissions, minus those that mint keys, change roles, impersonate or change security settings', () => {
    expect(GRANTABLE_SCOPES).toEqual([
      'assets:manage',
      'assets:upload',
      'audit:read',
      'certificates:manage',
      'communities:create',
      'communities:manage',
      'courses:author',
      'courses:manage',
      'courses:review',
      'enrolments:manage',
      'flags:manage',
      'flags:read',
      'instructors:review',
      'ledger:read',
      'members:read',
      'paths:manage',
      'points:read',
      'submissions:grade',
      'tenant:manage',
      'tenant:read',
    ])
    for (const scope of [
      'api_keys:manage',
      'members:manage',
      'members:impersonate',
      'security:manage',
      'revenue:manage',
      'orders:refund',
      'webhooks:manage',
      'platform:tenants',
    ])
      expect(parseScopes(['audit:read', scope])).toEqual({ unknown: scope, index: 1 })
    expect(parseScopes(['tenant:read', 'audit:read', 'tenant:read'])).toEqual({ scopes: ['audit:read', 'tenant:read'] })
  })

  it('cannot exceed what the creator holds', () => {
    const compliance = permissionsOf(['compliance'])
    expect(scopeBeyond(compliance, ['audit:read', 'tenant:read'])).toBeUndefined()
    expect(scopeBeyond(compliance, ['audit:read', 'members:read'])).toBe('members:read')
    expect(scopeBeyond(permissionsOf(['tenant_admin']), [...GRANTABLE_SCOPES])).toBeUndefined()
  })

  it('stored scopes that are no longer grantable give no permission', () => {
    expect([...keyPermissions(['audit:read', 'api_keys:manage', 'nonsense'])]).toEqual(['audit:read'])
  })
})
