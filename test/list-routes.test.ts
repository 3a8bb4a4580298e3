/**
 * No list can be broken by a forged cursor or limit. Walks every operation of the OpenAPI document
 * that takes a `cursor` query parameter (lists added later are covered automatically), calls it
 * as the caller it is for (anonymous on the tenant's host, a tenant administrator, an operator),
 * under a real parent resource, and expects every forged cursor and bad limit to be a 400 problem
 * naming the parameter, never a 5xx or a page.
 *
 * A list this walk cannot exercise fails it: a path parameter without a parent below, or a first
 * page that is not 200 (the parent is not real or the caller may not read it), so coverage cannot
 * shrink silently.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { classroom } from '../src/modules/assessment/assessment.testing.ts'
import { buildPublishedCourse } from '../src/modules/catalogue/testing.ts'
import { cursorContent, forgedCursor, forgedCursorText } from '../src/platform/http/pagination.testing.ts'
import { buildTestApp, type TestApp } from './build-test-app.ts'

type Parameter = { in: string; name: string; required?: boolean; schema?: Record<string, unknown> }
type Operation = { operationId: string; parameters?: Parameter[]; 'x-access'?: string }
type Document = { paths: Record<string, Record<string, Operation>> }
interface ListRoute {
  label: string
  path: string
  access: string
  /** Query parameters that select another ordering, and so another cursor (e.g. a search). */
  mode: string
}
interface Problem {
  code?: string
  errors?: Array<{ path: string }>
}
type Headers = Record<string, string>

/** Lists whose cursor depends on another query parameter: each ordering is walked as a list of its own. */
const ORDERINGS: Record<string, string[]> = {
  'GET /v1/catalogue/courses': ['q=course'],
  'GET /v1/dm/threads/{threadId}/messages': ['order=asc'],
  'GET /v1/channels/{channelId}/messages': ['order=asc'],
  'GET /v1/leaderboard': ['period=month'],
  'GET /v1/communities/{communityId}/leaderboard': ['period=month'],
}

/** Lists that take a required query parameter (a search's `q`): walked with it, matching two rows of the walk. */
const REQUIRED_QUERY: Record<string, string> = {
  'GET /v1/dm/messages/search': 'q=one+or+two',
  'GET /v1/channels/{channelId}/messages/search': 'q=one+or+two',
  'GET /v1/communities/{communityId}/messages/search': 'q=one+or+two',
}

let t: TestApp
let lists: ListRoute[]
/** Path parameter name → a real parent of the lists below it. */
let parents: Record<string, string>
let callers: Record<string, Headers>

beforeAll(async () => {
  // The webhook endpoints of the walk name a loopback receiver (the development allowance).
  t = await buildTestApp({ env: { EGRESS_ALLOW_PRIVATE_NETWORKS: 'true' } })
  const document = t.app.swagger() as unknown as Document
  lists = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([, operation]) => operation.parameters?.some((p) => p.in === 'query' && p.name === 'cursor'))
      .map(([method, operation]) => ({
        label: `${method.toUpperCase()} ${path}`,
        path,
        access: operation['x-access'] ?? 'undeclared',
        mode: REQUIRED_QUERY[`${method.toUpperCase()} ${path}`] ?? '',
      })),
  )
  lists.push(
    ...lists.flatMap((list) =>
      (ORDERINGS[list.label] ?? []).map((mode) => ({ ...list, label: `${list.label}?${mode}`, mode })),
    ),
  )
  // One course with a quiz and an assignment lesson, taught by its owner, in the tenant the walk uses.
  const c = await classroom(t)
  const assignmentLessonId = c.lessonIds[0]?.[1] as string
  const configured = await c.call(
    'PUT',
    `/v1/courses/${c.courseId}/lessons/${assignmentLessonId}/assignment`,
    c.owner,
    {
      instructions: 'Write',
      passingPoints: 1,
      rubric: [{ id: 'r', title: 'R', levels: [{ points: 1, description: 'Done' }] }],
    },
  )
  expect(configured.statusCode, configured.body).toBe(200)
  await c.publish()
  // A second row in the lists that are cheap to fill, so their real next cursors can be taken apart.
  const second = await buildPublishedCourse(t.platform.database, c.tenant.id, c.ownerId)
  await t.createTenant()
  await c.question({ kind: 'true_false', prompt: 'One?', answerKey: { value: true } })
  await c.question({ kind: 'true_false', prompt: 'Two?', answerKey: { value: false } })
  await c.learner()
  await c.learner()
  const adminId = randomUUID()
  await t.tokenFor(c.tenant.id, ['tenant_admin'], adminId)
  const admin = await t.tokenFor(c.tenant.id, ['tenant_admin'], adminId)
  const filled = await Promise.all([
    ...['one', 'two'].map((name) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: t.auth(admin),
        payload: { name, scopes: ['audit:read'] },
      }),
    ),
    ...['one', 'two'].map((slug) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/learning-paths',
        headers: t.auth(admin),
        payload: { slug, title: slug },
      }),
    ),
    ...[c.courseId, second.courseId].map((courseId) =>
      t.app.inject({ method: 'POST', url: `/v1/courses/${courseId}/enrolments/self`, headers: t.auth(admin) }),
    ),
  ])
  for (const response of filled) expect(response.statusCode, response.body).toBe(201)
  const pathId = (filled[2]?.json() as { id: string }).id
  // Two versions of a course's and a path's price, and two exchange rates.
  const priced = []
  for (const amount of [1000, 1200])
    for (const url of [`/v1/courses/${c.courseId}/prices/USD`, `/v1/learning-paths/${pathId}/prices/USD`])
      priced.push(await t.app.inject({ method: 'PUT', url, headers: t.auth(admin), payload: { amount } }))
  for (const rate of ['1.1', '1.2'])
    priced.push(
      await t.app.inject({
        method: 'POST',
        url: '/v1/ops/fx-rates',
        headers: t.auth(t.operatorToken),
        payload: { baseCurrency: 'USD', quoteCurrency: 'EUR', rate, source: 'walk' },
      }),
    )
  for (const response of priced) expect([200, 201], response.body).toContain(response.statusCode)
  // Two tax rates (a cursor of two codes, an instant and an id) and two coupons.
  const commerce = await Promise.all([
    ...['DE', 'US-NY'].map((place) =>
      t.app.inject({
        method: 'PUT',
        url: `/v1/commerce/tax/rates/${place}`,
        headers: t.auth(admin),
        payload: { name: `${place} tax`, rate: '0.1' },
      }),
    ),
    ...['ONE10', 'TWO10'].map((code) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/commerce/coupons',
        headers: t.auth(admin),
        payload: { code, kind: 'percent', percentOff: '10' },
      }),
    ),
  ])
  for (const response of commerce) expect(response.statusCode, response.body).toBeLessThan(300)
  // Two conversations of the administrator, one with two messages, and two followers.
  const people = [randomUUID(), randomUUID()]
  const threadIds: string[] = []
  for (const personId of people) {
    const person = await t.tokenFor(c.tenant.id, ['learner'], personId)
    const followed = await t.app.inject({ method: 'PUT', url: `/v1/me/following/${adminId}`, headers: t.auth(person) })
    const started = await t.app.inject({
      method: 'POST',
      url: '/v1/dm/threads',
      headers: t.auth(admin),
      payload: { participantIds: [personId] },
    })
    expect([followed.statusCode, started.statusCode], started.body).toEqual([201, 201])
    threadIds.push((started.json() as { id: string }).id)
  }
  for (const body of ['one', 'two']) {
    const sent = await t.app.inject({
      method: 'POST',
      url: `/v1/dm/threads/${threadIds[0]}/messages`,
      headers: t.auth(admin),
      payload: { body },
    })
    expect(sent.statusCode, sent.body).toBe(201)
  }
  // Two communities (a page of communities with a next cursor); the second with two channels, two
  // custom roles, two invitations and its owner plus two members.
  const communities = []
  for (const slug of ['walk-one', 'walk-two'])
    communities.push(
      await t.app.inject({
        method: 'POST',
        url: '/v1/communities',
        headers: t.auth(admin),
        payload: { slug, name: slug, visibility: 'public' },
      }),
    )
  const communityId = (communities[1]?.json() as { id: string }).id
  const inside = `/v1/communities/${communityId}`
  const invitees = [randomUUID(), randomUUID()].map((userId) => ({ userId }))
  for (const { userId } of invitees) await t.tokenFor(c.tenant.id, ['learner'], userId)
  for (const [url, payload] of [
    [`${inside}/channels`, { name: 'one' }],
    [`${inside}/channels`, { name: 'two' }],
    [`${inside}/roles`, { name: 'one', rank: 15, permissions: [] }],
    [`${inside}/roles`, { name: 'two', rank: 16, permissions: [] }],
    ...invitees.map((learner) => [`${inside}/invitations`, { userId: learner.userId }] as const),
    ...invitees.map((learner) => [`${inside}/members`, { userId: learner.userId }] as const),
  ] as const)
    communities.push(await t.app.inject({ method: 'POST', url, headers: t.auth(admin), payload }))
  for (const response of communities) expect(response.statusCode, response.body).toBe(201)
  // Two messages in the first channel (a page of one has a next cursor).
  const channelId = (communities[2]?.json() as { id: string }).id
  for (const body of ['one', 'two']) {
    const sent = await t.app.inject({
      method: 'POST',
      url: `/v1/channels/${channelId}/messages`,
      headers: t.auth(admin),
      payload: { body },
    })
    expect(sent.statusCode, sent.body).toBe(201)
  }
  // Two events in the second community; the first answered by two people (its attendees list).
  const eventIds: string[] = []
  for (const day of [1, 2]) {
    const startsAt = new Date(Date.now() + day * 86400_000)
    const created = await t.app.inject({
      method: 'POST',
      url: `${inside}/events`,
      headers: t.auth(admin),
      payload: {
        title: `walk ${day}`,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 3600_000).toISOString(),
        timeZone: 'Europe/Berlin',
      },
    })
    expect(created.statusCode, created.body).toBe(201)
    eventIds.push((created.json() as { id: string }).id)
  }
  for (const token of [admin, await t.tokenFor(c.tenant.id, ['learner'], invitees[0]!.userId)]) {
    const answered = await t.app.inject({
      method: 'PUT',
      url: `${inside}/events/${eventIds[0]}/rsvp`,
      headers: t.auth(token),
      payload: { response: 'going' },
    })
    expect(answered.statusCode, answered.body).toBe(200)
  }
  // Two posts (and two drafts) in it, two comments on the first post and two replies to the first comment.
  const written = []
  for (const payload of [
    { body: 'one' },
    { body: 'two' },
    { body: 'd1', state: 'draft' },
    { body: 'd2', state: 'draft' },
  ])
    written.push(await t.app.inject({ method: 'POST', url: `${inside}/posts`, headers: t.auth(admin), payload }))
  const postId = (written[0]?.json() as { id: string }).id
  for (const body of ['one', 'two'])
    written.push(
      await t.app.inject({
        method: 'POST',
        url: `${inside}/posts/${postId}/comments`,
        headers: t.auth(admin),
        payload: { body },
      }),
    )
  const commentId = (written[4]?.json() as { id: string }).id
  for (const body of ['one', 'two'])
    written.push(
      await t.app.inject({
        method: 'POST',
        url: `${inside}/posts/${postId}/comments`,
        headers: t.auth(admin),
        payload: { body, parentId: commentId },
      }),
    )
  for (const response of written) expect(response.statusCode, response.body).toBe(201)
  // Two webhook endpoints (nothing is delivered: this app works no jobs).
  const endpoints = []
  for (const name of ['one', 'two'])
    endpoints.push(
      await t.app.inject({
        method: 'POST',
        url: '/v1/webhook-endpoints',
        headers: t.auth(admin),
        payload: { url: `http://127.0.0.1:9/walk-${name}`, description: name },
      }),
    )
  for (const response of endpoints) expect(response.statusCode, response.body).toBe(201)
  const host = { host: `${c.tenant.slug}.localhost` }
  // {id} is a learning path's (its price history is the one list below /v1/learning-paths/{id}).
  parents = {
    tenantId: c.tenant.id,
    courseId: c.courseId,
    lessonId: assignmentLessonId,
    id: pathId,
    threadId: threadIds[0] as string,
    communityId,
    channelId,
    eventId: eventIds[0] as string,
    postId,
    commentId,
    // A member whose points log an administrator (points:read) reads.
    userId: adminId,
    endpointId: (endpoints[0]?.json() as { id: string }).id,
  }
  callers = { public: host, tenant: { ...host, ...t.auth(admin) }, operator: t.auth(t.operatorToken) }
})
afterAll(async () => t?.close())

function urlOf(list: ListRoute, query: string): string {
  const path = list.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_match, name: string) => {
    const parent = parents[name]
    if (parent === undefined) throw new Error(`${list.label}: no parent for {${name}}; add one to the walk`)
    return parent
  })
  return `${path}?${[list.mode, query].filter(Boolean).join('&')}`
}

function get(list: ListRoute, query: string) {
  const headers = callers[list.access]
  if (!headers) throw new Error(`${list.label}: no caller for access ${list.access}; add one to the walk`)
  return t.app.inject({ method: 'GET', url: urlOf(list, query), headers })
}

const UUID = randomUUID()
const AT = '2024-06-01T12:34:56.789123Z'
/** Numbers JSON.stringify cannot write, as they appear in a cursor's JSON (Infinity and a lossy integer once parsed). */
const HUGE = Symbol('1e309')
const HUGE_INTEGER = Symbol('123456789012345678901234567890')
const asJson = (parts: unknown[]) =>
  `[${parts.map((part) => (typeof part === 'symbol' ? part.description : JSON.stringify(part))).join(',')}]`
const repeat = (part: unknown) => [1, 2, 3].map((n) => forgedCursorText(asJson(Array(n).fill(part))))

/** Cursors no list issues, whatever its parts: each is wrong for every part type in every position. */
const FORGED: string[] = [
  '***',
  'a'.repeat(600),
  forgedCursorText('not json'),
  forgedCursor({ at: AT, id: UUID }),
  forgedCursor([]),
  forgedCursor([UUID, UUID, UUID, UUID, UUID]),
  forgedCursor(['2024-02-30T00:00:00Z', 'not-a-uuid']),
  ...repeat('2024-02-30T00:00:00.000000Z'),
  ...repeat('2024-01-01T24:00:00.000000Z'),
  ...repeat('a\u0000b'),
  ...repeat(HUGE),
  ...repeat(HUGE_INTEGER),
  ...repeat(null),
  ...repeat(true),
  ...repeat({}),
  ...repeat(''),
  ...repeat([AT]),
  forgedCursor(['NOT A NAME']),
  forgedCursor([0]),
  forgedCursor([1.5]),
  forgedCursor([AT, 'not-a-uuid']),
  forgedCursor([AT, `${UUID}\u0000`]),
  forgedCursor([AT, 42]),
  forgedCursor([`${AT}\u0000`, UUID]),
  forgedCursor(['2024-02-30T00:00:00.000000Z', UUID]),
  forgedCursor(['2024-01-01T24:00:00.000000Z', UUID]),
  forgedCursor(['2024-01-01T00:00:00.000Z', UUID]),
  forgedCursor(['0000-01-01T00:00:00.000000Z', UUID]),
  forgedCursorText(asJson([HUGE, UUID])),
  forgedCursorText(asJson([HUGE, AT, UUID])),
  forgedCursor([0.5, '2024-02-30T00:00:00.000000Z', UUID]),
  forgedCursor([0.5, AT, 'not-a-uuid']),
  forgedCursor(['0.5', AT, UUID]),
]
const BAD_LIMITS = ['1e309', '-1e309', '0', '101', 'abc', '-1', '2.5', '']

/** Wrong values for a part of a real cursor, by what the part looks like. */
function wrongFor(part: unknown): unknown[] {
  if (typeof part === 'number') return [HUGE, String(part), null, true]
  if (typeof part !== 'string') return [null]
  if (/^\d{4}-/.test(part) || part === '-infinity')
    return ['2024-02-30T00:00:00.000000Z', '2024-01-01T24:00:00.000000Z', `${part}\u0000`, part.slice(0, 23), 42]
  if (/^[0-9a-f]{8}-/.test(part)) return ['not-a-uuid', `${part}\u0000`, part.slice(1), 42, null]
  return ['a\u0000b', 'NOT A NAME', '', HUGE, null]
}

/**
 * Runs `work` over `items`, a few at a time: in parallel, yet within the request pool on
 * PostgreSQL (more waiting requests than connections would end in 503 DATABASE_UNAVAILABLE).
 */
async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>, width = 4): Promise<void> {
  let next = 0
  const lane = async () => {
    for (let index = next++; index < items.length; index = next++) await work(items[index] as T)
  }
  await Promise.all(Array.from({ length: width }, lane))
}

/** Everything wrong with an answer that should have been a 400 about `parameter`; empty when it was. */
function faultOf(response: Awaited<ReturnType<typeof get>>, parameter: 'cursor' | 'limit'): string | undefined {
  const type = String(response.headers['content-type'])
  const body = type.startsWith('application/problem+json') ? (response.json() as Problem) : undefined
  const named = body?.errors?.some((error) => error.path === `querystring.${parameter}`)
  if (response.statusCode === 400 && named) return undefined
  return `${response.statusCode} ${type} ${response.body.slice(0, 160)}`
}

describe('every list', () => {
  it('is found in the document: the walk itself works', () => {
    expect(lists.length).toBeGreaterThanOrEqual(29)
    expect(new Set(lists.map((list) => list.access))).toEqual(new Set(['public', 'tenant', 'operator']))
  })

  it('documents limit as optional, 1-100, default 20, and cursor as optional', () => {
    const document = t.app.swagger() as unknown as Document
    const wrong: string[] = []
    for (const list of lists) {
      const [method, path] = list.label.split(/[ ?]/) as [string, string]
      const parameters = document.paths[path]?.[method.toLowerCase()]?.parameters ?? []
      const limit = parameters.find((p) => p.in === 'query' && p.name === 'limit')
      const cursor = parameters.find((p) => p.in === 'query' && p.name === 'cursor')
      if (
        limit?.required ||
        limit?.schema?.default !== 20 ||
        limit.schema.minimum !== 1 ||
        limit.schema.maximum !== 100
      )
        wrong.push(`${list.label} limit ${JSON.stringify(limit)}`)
      if (cursor?.required) wrong.push(`${list.label} cursor is required`)
    }
    expect(wrong).toEqual([])
  })

  it('answers its first page with 200 under a real parent, without a limit (the default applies)', async () => {
    const failed: string[] = []
    await inParallel(lists, async (list) => {
      const response = await get(list, '')
      if (response.statusCode !== 200)
        failed.push(`${list.label} → ${response.statusCode} ${response.body.slice(0, 200)}`)
    })
    expect(failed).toEqual([])
  })

  it('refuses every forged cursor and every bad limit with a 400 problem naming the parameter', async () => {
    const calls = lists.flatMap((list) => [
      ...FORGED.map((cursor) => ({
        list,
        query: `cursor=${encodeURIComponent(cursor)}`,
        parameter: 'cursor' as const,
      })),
      ...BAD_LIMITS.map((limit) => ({
        list,
        query: `limit=${encodeURIComponent(limit)}`,
        parameter: 'limit' as const,
      })),
    ])
    const faults: string[] = []
    await inParallel(calls, async ({ list, query, parameter }) => {
      const fault = faultOf(await get(list, query), parameter)
      if (fault) faults.push(`${list.label}?${query} → ${fault}`)
    })
    expect(faults).toEqual([])
  })

  it('follows its real next cursor, and refuses that cursor with any one part made wrong', async () => {
    const followed: string[] = []
    const faults: string[] = []
    await inParallel(lists, async (list) => {
      const first = await get(list, 'limit=1')
      const next = (first.json() as { nextCursor: string | null }).nextCursor
      if (next === null) return
      followed.push(list.label)
      const second = await get(list, `limit=1&cursor=${next}`)
      if (second.statusCode !== 200) faults.push(`${list.label} next page → ${second.statusCode} ${second.body}`)
      const parts = cursorContent(next) as unknown[]
      const mutants = parts.flatMap((part, index) =>
        wrongFor(part).map((wrong) => parts.map((kept, i) => (i === index ? wrong : kept))),
      )
      for (const mutant of mutants) {
        const response = await get(list, `cursor=${forgedCursorText(asJson(mutant))}`)
        const fault = faultOf(response, 'cursor')
        if (fault) faults.push(`${list.label} cursor ${asJson(mutant)} → ${fault}`)
      }
    })
    expect(faults).toEqual([])
    // The walk fills enough lists to take real cursors of most shapes apart (instant+id, rank+instant+id,
    // slug, flag key, queue name).
    expect(followed.length, followed.join('\n')).toBeGreaterThanOrEqual(15)
  })
})
