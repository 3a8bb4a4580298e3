/**
 * Enforcement, not just declaration: walks the live route table and (a) requires every route to
 * declare who may call it, (b) calls every privileged route with a learner's token and expects
 * 403, (c) calls every non-public route without a token and expects 401. Routes added later are
 * covered automatically.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Access } from '../src/platform/http/access.ts'
import { permissionsOf } from '../src/platform/http/permissions.ts'
import { buildTestApp, type TestApp } from './build-test-app.ts'
import type { RegisteredRoute } from './problem-check.ts'

/**
 * Routes open to any signed-in member (tenantAccess() with no permission) must act only on the
 * caller's own account, which is what these paths (and those below them) hold. A new any-member route elsewhere
 * fails the test: it must declare a permission or be consciously placed here.
 */
// /v1/instructor-applications: any member applies and reads or withdraws only their own (others'
// are 404); listing and deciding need instructors:review, so they are not any-member routes.
// /v1/learn: every route acts only on the caller's own enrolments, attempts and submissions.
// /v1/checkout: quotes of the caller's own basket.
// /v1/orders: the caller places orders for themself, reads their own and cancels their own unpaid
// ones (another's is 404; staff holding ledger:read read any, and staff holding orders:refund cancel
// any, audited: rules the service applies). The caller's list is /v1/me/orders.
// /v1/invoices, /v1/credit-notes: the caller's own purchases' documents (others' are 404); holders
// of ledger:read read every one of the tenant's, which the service decides.
// /v1/communities: any member may look at communities and join them; everything a member does
// inside one (approve, ban, set roles, manage channels) is decided by their community role through
// the community module's one `can` (ADR 0027), with the tenant's communities:manage as administrator.
const SELF_SERVICE_PATHS = [
  '/v1/communities',
  '/v1/me',
  '/v1/auth',
  '/v1/browser-sessions',
  '/v1/instructor-applications',
  '/v1/learn',
  '/v1/checkout',
  '/v1/orders',
  '/v1/invoices',
  '/v1/credit-notes',
  // Direct messages: only a conversation's participants see or write it (404 for everyone else).
  '/v1/dm',
  // Channel chat: read and written as the community's channelAccess decides for the caller
  // (non-members 404, refused members 403), deletes of others' messages by community role.
  '/v1/channels',
  // Moderation: reports need sight of their target; cases, actions and appeals are decided by the
  // caller's community permissions (community's `can`), appeals filed by an action's subject only.
  '/v1/moderation',
]
/** Single any-member routes outside those paths that act only for the caller (e.g. enrolling oneself in a course). */
const SELF_SERVICE_ROUTES = [
  'POST /v1/courses/:courseId/enrolments/self',
  // How the caller stands towards a member (the caller's follows, blocks, mutes and whether they may write).
  'GET /v1/users/:userId/relationship',
  'HEAD /v1/users/:userId/relationship',
  // The tenant's DM minimum, the rule every member's own messages are held to.
  'GET /v1/social/dm-policy',
  'HEAD /v1/social/dm-policy',
  // A member's points log: the caller's own; another's only with points:read, which the service decides.
  'GET /v1/members/:userId/points/log',
  'HEAD /v1/members/:userId/points/log',
  // The tenant's leaderboard and the caller's own rank on it: what every member competes on.
  'GET /v1/leaderboard',
  'HEAD /v1/leaderboard',
  'GET /v1/leaderboard/me',
  'HEAD /v1/leaderboard/me',
  // The tenant's point rules, the rules every member's own points follow (changing them needs tenant:manage).
  'GET /v1/gamification/settings',
  'HEAD /v1/gamification/settings',
  // A signed download: served only to the user the token names (the caller themselves).
  'GET /v1/files/:token',
  'HEAD /v1/files/:token',
  // A signed URL for an asset: its uploader and asset managers, or a member whose lesson uses it
  // through the entitlement decision of lesson reads (assets.service.ts); the URL is bound to the caller.
  'GET /v1/assets/:assetId/download-url',
  'HEAD /v1/assets/:assetId/download-url',
]

/** Plausible values for path parameters that are not ids; every other parameter gets a random UUID. */
const PARAM_VALUES: Record<string, string> = {
  key: 'some.flag',
  domain: 'courses.example.org',
  queue: 'some-queue',
  role: 'instructor',
}

let t: TestApp
let tenantId: string

beforeAll(async () => {
  t = await buildTestApp()
  ;({ id: tenantId } = await t.createTenant())
})
afterAll(async () => t?.close())

const accessOf = (route: RegisteredRoute) => route.options.config?.access as Access | undefined
/** OPTIONS is the CORS preflight Fastify answers itself; the hidden /docs assets are the UI of the public document. */
const callable = () => t.routes.filter((route) => route.method !== 'OPTIONS' && route.options.schema?.hide !== true)
const label = (route: RegisteredRoute) => `${route.method} ${route.url}`

function concreteUrl(url: string): string {
  return url
    .replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) => encodeURIComponent(PARAM_VALUES[name] ?? randomUUID()))
    .replace(/\*$/, 'x')
}

function call(route: RegisteredRoute, headers: Record<string, string>) {
  const method = route.method as 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  const withBody = ['POST', 'PUT', 'PATCH'].includes(method)
  return t.app.inject({ method, url: concreteUrl(route.url), headers, ...(withBody ? { payload: {} } : {}) })
}

function isPrivileged(access: Access): boolean {
  if (access.kind === 'operator') return true
  if (access.kind !== 'tenant') return false
  const learner = permissionsOf(['learner'])
  const anyOf = access.anyOf ?? []
  return (
    access.permissions.some((permission) => !learner.has(permission)) ||
    (anyOf.length > 0 && !anyOf.some((permission) => learner.has(permission)))
  )
}

/** tenantAccess(): any signed-in member, no permission named (neither all-of nor any-of). */
const isAnyMember = (access: Access | undefined) =>
  access?.kind === 'tenant' && access.permissions.length === 0 && access.anyOf === undefined

describe('route permissions', () => {
  it('finds the routes to check (the walk itself works)', () => {
    const kinds = new Set(callable().map((route) => accessOf(route)?.kind))
    expect(kinds).toEqual(new Set(['public', 'tenant', 'operator']))
    expect(callable().filter((route) => isPrivileged(accessOf(route) as Access)).length).toBeGreaterThan(20)
  })

  it('every route declares its access, and only hidden documentation assets go without', () => {
    const undeclared = t.routes.filter((route) => accessOf(route) === undefined).map(label)
    // OPTIONS * is the CORS preflight the cors plugin answers before any route runs.
    expect(undeclared.filter((route) => route !== 'OPTIONS *' && !/^(GET|HEAD) \/docs(\/|$)/.test(route))).toEqual([])
    for (const route of callable()) {
      const access = accessOf(route)
      expect(access, label(route)).toBeDefined()
      if (access?.kind === 'public') continue
      expect(Array.isArray(access?.permissions), `${label(route)} lists its permissions`).toBe(true)
    }
  })

  it('routes open to any member serve only the caller themselves', () => {
    const anyMember = callable().filter((route) => isAnyMember(accessOf(route)))
    expect(anyMember.length).toBeGreaterThan(0)
    // Whole path segments: /v1/members is not under /v1/me.
    const isSelfService = (url: string) => SELF_SERVICE_PATHS.some((path) => url === path || url.startsWith(`${path}/`))
    const elsewhere = anyMember
      .filter((route) => !isSelfService(route.url) && !SELF_SERVICE_ROUTES.includes(label(route)))
      .map(label)
    expect(elsewhere).toEqual([])
  })

  it('operator routes require a named permission', () => {
    // An operator's own account and session (/v1/operator/me, signing out) need no permission beyond being one.
    const ownAccount = (route: RegisteredRoute) => route.url.startsWith('/v1/operator/')
    const bare = callable().filter(
      (route) =>
        accessOf(route)?.kind === 'operator' &&
        (accessOf(route) as { permissions: string[] }).permissions.length === 0 &&
        !ownAccount(route),
    )
    expect(bare.map(label)).toEqual([])
  })

  it('a learner gets 403 from every privileged route', async () => {
    const token = await t.tokenFor(tenantId, ['learner'])
    const unexpected: string[] = []
    for (const route of callable().filter((candidate) => isPrivileged(accessOf(candidate) as Access))) {
      const response = await call(route, t.auth(token))
      if (response.statusCode !== 403)
        unexpected.push(`${label(route)} → ${response.statusCode} ${response.body.slice(0, 120)}`)
    }
    expect(unexpected).toEqual([])
  })

  it('an API key gets 403 from every route needing more than its scopes, operator routes included', async () => {
    const admin = await t.tokenFor(tenantId, ['tenant_admin'])
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.auth(admin),
      payload: { name: 'route walk', scopes: ['audit:read'] },
    })
    expect(created.statusCode, created.body).toBe(201)
    const key = (created.json() as { secret: string }).secret
    const beyondScopes = (access: Access) =>
      access.kind === 'operator' ||
      (access.kind === 'tenant' &&
        (access.peopleOnly ||
          access.permissions.some((permission) => permission !== 'audit:read') ||
          (access.anyOf !== undefined && !access.anyOf.includes('audit:read'))))
    const unexpected: string[] = []
    for (const route of callable().filter((candidate) => beyondScopes(accessOf(candidate) as Access))) {
      const response = await call(route, t.auth(key))
      if (response.statusCode !== 403)
        unexpected.push(`${label(route)} → ${response.statusCode} ${response.body.slice(0, 120)}`)
    }
    expect(unexpected).toEqual([])
  })

  it('routes open to any member are for people: an API key gets 403 PERSON_REQUIRED there', async () => {
    const admin = await t.tokenFor(tenantId, ['tenant_admin'])
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.auth(admin),
      payload: { name: 'any-member walk', scopes: ['audit:read', 'tenant:read', 'members:read'] },
    })
    const key = (created.json() as { secret: string }).secret
    const anyMember = callable().filter((route) => isAnyMember(accessOf(route)))
    expect(anyMember.every((route) => (accessOf(route) as { peopleOnly: boolean }).peopleOnly)).toBe(true)
    const unexpected: string[] = []
    for (const route of anyMember) {
      const response = await call(route, t.auth(key))
      const code = route.method === 'HEAD' ? 'PERSON_REQUIRED' : (response.json() as { code?: string }).code
      if (response.statusCode !== 403 || code !== 'PERSON_REQUIRED')
        unexpected.push(`${label(route)} → ${response.statusCode} ${response.body.slice(0, 120)}`)
    }
    expect(unexpected).toEqual([])
  })

  it('a call without a token gets 401 from every non-public route', async () => {
    const unexpected: string[] = []
    for (const route of callable().filter((candidate) => accessOf(candidate)?.kind !== 'public')) {
      const response = await call(route, {})
      if (response.statusCode !== 401)
        unexpected.push(`${label(route)} → ${response.statusCode} ${response.body.slice(0, 120)}`)
    }
    expect(unexpected).toEqual([])
  })

  it('a learner on a tenant host still gets 403, not another answer the host could cause', async () => {
    const { id, slug } = await t.createTenant()
    const token = await t.tokenFor(id, ['learner'])
    const route = callable().find(
      (candidate) => candidate.method === 'PUT' && candidate.url === '/v1/members/:userId/roles/:role',
    )
    expect(route).toBeDefined()
    const response = await call(route as RegisteredRoute, { ...t.auth(token), host: `${slug}.localhost` })
    expect(response.statusCode).toBe(403)
    expect(response.json()).toMatchObject({ code: 'PERMISSION_DENIED', permission: 'members:manage' })
  })
})
