/**
 * Walks every operation of the OpenAPI document (read from the app, so a route added later is
 * walked too) with malformed path, query, body and If-Match values (test/openapi-walk.ts) as
 * four callers: anonymous, anonymous on a tenant host, a tenant member holding every role, and a
 * platform operator. No answer may be a 5xx or an error that is not an RFC 9457 problem document;
 * an operation under random, valid-shaped identifiers must not succeed (a nested collection of
 * an unknown parent is 404); only operations that declare If-Match may answer 428.
 */
import { randomUUID } from 'node:crypto'
import { Type } from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from './build-test-app.ts'
import {
  contractViolations,
  operationsOf,
  walkDocument,
  type Injector,
  type OpenApiDocument,
  type Outcome,
  type WalkCaller,
} from './openapi-walk.ts'
import { TENANT_ROLES } from '../src/platform/http/permissions.ts'
import { publicAccess } from '../src/platform/http/access.ts'
import { buildContractServer } from '../src/platform/http/contract.testing.ts'
import { signedInOperator } from '../src/modules/identity/testing.ts'

let t: TestApp
let document: OpenApiDocument
let outcomes: Outcome[]
/** Sessions an operation ended (logout and the like), renewed before the walk went on. */
const renewals: string[] = []

async function createCallers(): Promise<WalkCaller[]> {
  const tenant = await t.createTenant()
  const memberId = randomUUID()
  let memberToken = await t.tokenFor(tenant.id, [...TENANT_ROLES], memberId)
  let operatorToken = t.operatorToken
  const works = async (url: string, token: string) =>
    (await t.app.inject({ method: 'GET', url, headers: t.auth(token) })).statusCode === 200
  return [
    { name: 'anonymous', headers: () => ({}), mayCall: new Set(['public']) },
    {
      name: 'anonymous on a tenant host',
      headers: () => ({ host: `${tenant.slug}.localhost` }),
      mayCall: new Set(['public']),
    },
    {
      name: 'tenant member with every role',
      headers: () => t.auth(memberToken),
      mayCall: new Set(['public', 'tenant']),
      async keepAlive() {
        if (await works('/v1/members?limit=1', memberToken)) return
        memberToken = await t.tokenFor(tenant.id, [...TENANT_ROLES], memberId)
        // A new session of the same member must work again; if not, an operation broke the member.
        if (!(await works('/v1/members?limit=1', memberToken)))
          throw new Error('the member cannot work any more, even with a new session')
        renewals.push('member')
      },
    },
    {
      name: 'operator',
      headers: () => t.auth(operatorToken),
      mayCall: new Set(['public', 'operator']),
      async keepAlive() {
        if (await works('/v1/operator/me', operatorToken)) return
        const harness = { database: t.platform.database, identity: t.modules.identity }
        operatorToken = (await signedInOperator(harness, 'walk')).accessToken
        renewals.push('operator')
      },
    },
  ]
}

beforeAll(async () => {
  t = await buildTestApp()
  document = t.app.swagger() as unknown as OpenApiDocument
  outcomes = await walkDocument(t.app as unknown as Injector, document, await createCallers())
}, 300_000)
afterAll(async () => t?.close())

describe('every operation of the document under malformed input', () => {
  it('walks every operation with many probes as every caller', () => {
    const operations = operationsOf(document)
    expect(operations.length).toBeGreaterThan(100)
    expect([...new Set(outcomes.map((o) => o.operation.name))].sort()).toEqual(operations.map((o) => o.name).sort())
    expect(new Set(outcomes.map((o) => o.caller)).size).toBe(4)
    expect(outcomes.length).toBeGreaterThan(operations.length * 10)
    // The logouts among the operations end the walk's sessions; they were renewed, not lost.
    expect(renewals.length).toBeLessThan(10)
  })

  it('never answers 5xx', () => {
    expect(contractViolations(outcomes).serverErrors).toEqual([])
  })

  it('answers every error with an RFC 9457 problem document, and every answer with a request id', () => {
    expect(contractViolations(outcomes).notProblemDocuments).toEqual([])
  })

  it('never succeeds under random identifiers: a nested collection of an unknown parent is 404', () => {
    expect(contractViolations(outcomes).succeededUnderRandomIds).toEqual([])
  })

  it('answers 428 only on operations that declare If-Match', () => {
    expect(contractViolations(outcomes).undeclared428).toEqual([])
  })
})

describe('the walk itself', () => {
  it('reports a route added later that misbehaves under malformed input', async () => {
    const server = await buildContractServer(t, (app) => {
      app.get(
        '/v1/walk-canary/:parentId/children',
        {
          schema: {
            summary: 'A list that misbehaves',
            tags: ['test'],
            operationId: 'walkCanary',
            params: Type.Object({ parentId: Type.String({ format: 'uuid' }) }),
            querystring: Type.Object({ q: Type.Optional(Type.String()) }),
            response: { 200: Type.Object({ data: Type.Array(Type.String()) }) },
          },
          config: { access: publicAccess() },
        },
        async (request, reply) => {
          if (request.query.q?.length === 10_000) throw new Error('a huge string reached the database')
          // Written around the schema: the kind of answer a careless route gives.
          const plain = (status: number, message: string): void => {
            reply.hijack()
            reply.raw.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message }))
          }
          if (request.query.q === '-1') return plain(400, 'not a problem document')
          if (request.query.q === 'abc') return plain(428, 'If-Match, undeclared')
          return { data: [] } // whatever the parent: the contract drift the walk must see
        },
      )
    })
    try {
      const canary = server.swagger() as unknown as OpenApiDocument
      const anonymous: WalkCaller = { name: 'anonymous', headers: () => ({}), mayCall: new Set(['public']) }
      const found = contractViolations(await walkDocument(server as unknown as Injector, canary, [anonymous]))
      expect(found.serverErrors).toEqual([expect.stringContaining('GET /v1/walk-canary/{parentId}/children')])
      expect(found.notProblemDocuments).toEqual(
        expect.arrayContaining([expect.stringMatching(/query q: -1 .*→ 400: content-type/)]),
      )
      expect(found.succeededUnderRandomIds).toEqual([expect.stringContaining('baseline')])
      expect(found.undeclared428).toEqual([expect.stringContaining('query q: not a number')])
    } finally {
      await server.close()
    }
  })
})
