/**
 * The route table is the single truth for permissions: what an operation publishes in OpenAPI
 * (`x-permissions`, `x-permissions-any-of`, `x-principals`) is exactly what the server enforces,
 * in the access layer and in the services behind it. For every tenant operation that declares a
 * permission, a caller holding exactly the declared permission (an API key with only those
 * scopes where keys are admitted, otherwise the smallest role holding them) is not refused
 * (random identifiers may give 404, 409 or 422, never 401 or 403), a caller holding none of them
 * gets 403, and an API key on a people-only operation gets 403 PERSON_REQUIRED.
 * Operations added later are walked without changing this file.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROLE_PERMISSIONS, TENANT_ROLES, type Permission, type TenantRole } from '../src/platform/http/permissions.ts'
import { buildTestApp, type TestApp } from './build-test-app.ts'
import { createSchemaSampler, operationsOf, type OpenApiDocument, type WalkedOperation } from './openapi-walk.ts'

interface Declared {
  allOf: Permission[]
  anyOf: Permission[]
  principals: string[]
}

interface Answer {
  status: number
  body: string
}

let t: TestApp
let tenantId: string
let adminToken: string
let document: OpenApiDocument
let sample: ReturnType<typeof createSchemaSampler>['sample']
const keys = new Map<string, string | null>()
const tokens = new Map<string, string>()

beforeAll(async () => {
  t = await buildTestApp()
  ;({ id: tenantId } = await t.createTenant())
  adminToken = await t.tokenFor(tenantId, ['tenant_admin'])
  document = t.app.swagger() as unknown as OpenApiDocument
  ;({ sample } = createSchemaSampler(document))
}, 300_000)
afterAll(async () => t?.close())

function declaredOf(operation: WalkedOperation): Declared {
  const op = operation.operation as Record<string, unknown>
  return {
    allOf: (op['x-permissions'] ?? []) as Permission[],
    anyOf: (op['x-permissions-any-of'] ?? []) as Permission[],
    principals: (op['x-principals'] ?? []) as string[],
  }
}

/** Tenant operations that need a permission (any-member routes are covered by route-permissions.test.ts). */
function guarded(): Array<{ operation: WalkedOperation; declared: Declared }> {
  return operationsOf(document)
    .filter((operation) => operation.access === 'tenant')
    .map((operation) => ({ operation, declared: declaredOf(operation) }))
    .filter(({ declared }) => declared.allOf.length > 0 || declared.anyOf.length > 0)
}

/** The sets of permissions that each satisfy the declaration exactly: allOf, plus one of anyOf when declared. */
const satisfyingSets = ({ allOf, anyOf }: Declared): Permission[][] =>
  anyOf.length === 0 ? [allOf] : anyOf.map((alternative) => [...new Set([...allOf, alternative])])

/** An API key holding exactly `scopes`, or null when keys cannot hold one of them (400 UNKNOWN_SCOPE). */
async function keyWith(scopes: Permission[]): Promise<string | null> {
  const name = [...scopes].sort().join(' ')
  if (!keys.has(name)) {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.auth(adminToken),
      payload: { name: `enforcement walk: ${name}`.slice(0, 100), scopes },
    })
    if (created.statusCode !== 201 && !created.body.includes('UNKNOWN_SCOPE'))
      throw new Error(`creating a key with ${name}: ${created.statusCode} ${created.body}`)
    keys.set(name, created.statusCode === 201 ? (created.json() as { secret: string }).secret : null)
  }
  return keys.get(name) ?? null
}

async function memberWith(roles: TenantRole[]): Promise<string> {
  const name = [...roles].sort().join(' ')
  if (!tokens.has(name)) tokens.set(name, await t.tokenFor(tenantId, roles))
  return tokens.get(name) as string
}

/** The smallest role holding every one of `permissions`. */
function smallestRoleWith(permissions: Permission[]): TenantRole {
  const holding = TENANT_ROLES.filter((role) => permissions.every((p) => ROLE_PERMISSIONS[role].includes(p)))
  const [smallest] = holding.sort((a, b) => ROLE_PERMISSIONS[a].length - ROLE_PERMISSIONS[b].length)
  if (!smallest) throw new Error(`no role holds ${permissions.join(', ')}`)
  return smallest
}

/** A valid-shaped request with random identifiers: it reaches the service, which finds nothing. */
async function call(operation: WalkedOperation, token: string): Promise<Answer> {
  const url = operation.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const param = operation.pathParams.find((p) => p.name === name)
    return encodeURIComponent(String(param?.schema ? sample(param.schema) : randomUUID()))
  })
  const bodySchema = operation.operation.requestBody?.content?.['application/json']?.schema
  const body = bodySchema ? sample(bodySchema) : undefined
  const response = await t.app.inject({
    method: operation.method as 'GET',
    url,
    headers: {
      ...t.auth(token),
      ...(operation.declaresIfMatch ? { 'if-match': '"v1"' } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  })
  return { status: response.statusCode, body: response.body.slice(0, 160) }
}

describe('declared access is enforced access', () => {
  it('walks the tenant operations that declare permissions, of both principal kinds', () => {
    const walked = guarded()
    expect(walked.length).toBeGreaterThan(60)
    expect(walked.some(({ declared }) => declared.principals.includes('api_key'))).toBe(true)
    expect(walked.some(({ declared }) => !declared.principals.includes('api_key'))).toBe(true)
    expect(walked.some(({ declared }) => declared.anyOf.length > 0)).toBe(true)
  })

  it('a caller holding exactly the declared permission is never refused (no 401, no 403)', async () => {
    const refused: string[] = []
    for (const { operation, declared } of guarded()) {
      for (const permissions of satisfyingSets(declared)) {
        const key = declared.principals.includes('api_key') ? await keyWith(permissions) : null
        const caller = key
          ? { name: `API key [${permissions.join(' ')}]`, token: key }
          : { name: `role ${smallestRoleWith(permissions)}`, token: await memberWith([smallestRoleWith(permissions)]) }
        const answer = await call(operation, caller.token)
        if (answer.status === 401 || answer.status === 403 || answer.status >= 500)
          refused.push(`${operation.name} as ${caller.name} → ${answer.status} ${answer.body}`)
      }
    }
    expect(refused).toEqual([])
  }, 600_000)

  it('a caller holding none of the declared permissions gets 403, as a member and as an API key', async () => {
    const admitted: string[] = []
    for (const { operation, declared } of guarded()) {
      const needed = new Set([...declared.allOf, ...declared.anyOf])
      const roles = TENANT_ROLES.filter((role) => !ROLE_PERMISSIONS[role].some((p) => needed.has(p)))
      const member = await call(operation, await memberWith(roles))
      if (member.status !== 403) admitted.push(`${operation.name} as roles ${roles.join(' ')} → ${member.status}`)
      if (!declared.principals.includes('api_key')) continue
      const others = [...new Set(TENANT_ROLES.flatMap((role) => ROLE_PERMISSIONS[role]))].filter((p) => !needed.has(p))
      const granted: Permission[] = []
      // Keys cannot hold some permissions (e.g. members:manage): the key gets every other one.
      for (const permission of others) if (await keyWith([permission])) granted.push(permission)
      const key = await call(operation, (await keyWith(granted)) as string)
      if (key.status !== 403) admitted.push(`${operation.name} as a key without them → ${key.status} ${key.body}`)
    }
    expect(admitted).toEqual([])
  }, 600_000)

  it('an API key on an operation for people only gets 403 PERSON_REQUIRED, whatever its scopes', async () => {
    const peopleOnly = guarded().filter(({ declared }) => !declared.principals.includes('api_key'))
    const unexpected: string[] = []
    let walked = 0
    for (const { operation, declared } of peopleOnly) {
      for (const permissions of satisfyingSets(declared)) {
        const key = await keyWith(permissions)
        if (!key) continue
        walked++
        const answer = await call(operation, key)
        if (answer.status !== 403 || !answer.body.includes('person-required'))
          unexpected.push(`${operation.name} → ${answer.status} ${answer.body}`)
      }
    }
    expect(walked).toBeGreaterThan(10)
    expect(unexpected).toEqual([])
  }, 600_000)
})

describe('the two mismatches the review found', () => {
  it('an API key holding only audit:read lists the tenant impersonations (200), as the route declares', async () => {
    const key = (await keyWith(['audit:read'])) as string
    const listed = await t.app.inject({ method: 'GET', url: '/v1/impersonations', headers: t.auth(key) })
    expect(listed.statusCode, listed.body).toBe(200)
    expect(listed.json()).toEqual({ data: [], nextCursor: null })
  })

  it('publishes anyOf and who may call next to x-permissions', () => {
    const operation = operationsOf(document).find((op) => op.name === 'POST /v1/courses/{courseId}/enrolments')
    expect(operation?.operation).toMatchObject({
      'x-permissions': [],
      'x-permissions-any-of': ['enrolments:manage', 'courses:author'],
      'x-principals': ['user', 'api_key'],
    })
    const people = operationsOf(document).find((op) => op.name === 'POST /v1/submissions/{submissionId}/grade')
    expect(people?.operation).toMatchObject({ 'x-permissions': ['submissions:grade'], 'x-principals': ['user'] })
  })
})
