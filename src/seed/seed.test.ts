/**
 * The development seed on a fresh app (development profile, job worker on), judged through the
 * HTTP API the way a new user meets the demo tenant: the anonymous catalogue and learning path,
 * a learner's dashboard with drip-locked lessons, the instructor's grading queue, a certificate
 * that verifies. It starts from what the previous version of the seed left (the demo tenant, its
 * administrator and the operator) and must change nothing when run again, whether its record of
 * what it did is there or lost; a draft left by an interrupted run is finished, not duplicated.
 * The steps share state and run in order.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../test/build-test-app.ts'
import { createDemoMember } from '../modules/identity/index.ts'
import { systemContext } from '../platform/http/request-context.ts'
import { waitUntil } from '../platform/jobs/testing.ts'
import type { DevCredentials } from './accounts.ts'
import { DEMO_LEARNING } from './content/index.ts'
import { PANDAS_QUIZ } from './content/data-analysis-with-pandas.ts'
import { PHOTOGRAPHIE_LUMIERE } from './content/photographie-lumiere.ts'
import { learningArea } from './learning/index.ts'
import type { CourseSpec } from './learning/spec.ts'
import { seedDemo, type DemoSeed } from './index.ts'
import { DEMO_CONVERSATION } from './social.ts'
import { DEMO_RECEIVER_URL, type DevWebhook } from './webhooks.ts'

const HOST = 'demo.localhost'
const DAY_MS = 86_400_000

let t: TestApp
let dataDir: string
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'lyceum-seed-'))
  t = await buildTestApp({
    // The seed signs in five accounts per run and this file runs it four times; the auth quota of a
    // development install (20 a minute from one address) is not what is tested here.
    env: { LYCEUM_PROFILE: 'development', DATA_DIR: dataDir, RATE_LIMITS: 'auth=200' },
    worker: true,
  })
})
afterAll(async () => {
  await t?.close()
  await rm(dataDir, { recursive: true, force: true })
})

type Method = 'GET' | 'POST' | 'PUT'

async function call(
  method: Method,
  url: string,
  options: { token?: string; payload?: object; ifMatch?: string; host?: string } = {},
): Promise<LightMyRequestResponse> {
  const response = await t.app.inject({
    method,
    url,
    headers: {
      host: options.host ?? HOST,
      ...(options.token ? t.auth(options.token) : {}),
      ...(options.ifMatch ? { 'if-match': options.ifMatch } : {}),
    },
    ...(options.payload ? { payload: options.payload } : {}),
  })
  if (response.statusCode >= 400) expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
  return response
}

async function ok<T>(method: Method, url: string, options: Parameters<typeof call>[2] = {}): Promise<T> {
  const response = await call(method, url, options)
  expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300)
  return response.json() as T
}

const credentialsFile = () => path.join(dataDir, 'dev-credentials.json')
const readCredentials = async () => JSON.parse(await readFile(credentialsFile(), 'utf8')) as DevCredentials

/** Signs in with the password the seed printed (and kept in dev-credentials.json), as a new user would. */
async function signIn(email: string): Promise<string> {
  const credentials = await readCredentials()
  const password = [credentials.admin, ...(credentials.members ?? [])].find((c) => c?.email === email)?.password
  expect(password, `no password for ${email} in dev-credentials.json`).toBeDefined()
  const login = await ok<{ accessToken: string }>('POST', '/v1/auth/login', { payload: { email, password } })
  return login.accessToken
}

/** Every item of a list, page after page. */
async function all<T>(url: string, token?: string): Promise<T[]> {
  const items: T[] = []
  let cursor: string | null = null
  do {
    const separator = url.includes('?') ? '&' : '?'
    const page: { data: T[]; nextCursor: string | null } = await ok(
      'GET',
      `${url}${separator}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      token ? { token } : {},
    )
    items.push(...page.data)
    cursor = page.nextCursor
  } while (cursor)
  return items
}

interface CatalogueCourse {
  id: string
  slug: string
  title: string
  level: string
  language: string
  category: string
}

const state = {
  tenantId: '',
  admin: '',
  oldAdminPassword: '',
  courses: new Map<string, string>(),
  users: new Map<string, string>(),
  snapshot: {} as Record<string, number>,
  /** Tomás's access token (signed in once, so the counts' reads add no sign-in). */
  tomas: '',
}

/** What the seed made, counted through the API: equal counts before and after a run mean the run made nothing. */
async function domainCounts(admin: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {
    catalogueCourses: (await all(`/v1/catalogue/courses`)).length,
    cataloguePaths: (await all(`/v1/catalogue/paths`)).length,
    courses: (await all('/v1/courses', admin)).length,
    paths: (await all('/v1/learning-paths', admin)).length,
    members: (await all('/v1/members', admin)).length,
    certificates: (await all('/v1/certificates', admin)).length,
    taxProfileVersion: (await ok<{ version: number }>('GET', '/v1/commerce/tax/profile', { token: admin })).version,
    taxRates: (await all('/v1/commerce/tax/rates?status=all', admin)).length,
    coupons: (await all('/v1/commerce/coupons?status=all', admin)).length,
    ...(state.tomas ? { tomasOrders: (await all('/v1/me/orders', state.tomas)).length } : {}),
    ...(state.tomas ? { tomasConversations: (await all('/v1/dm/threads', state.tomas)).length } : {}),
    ...(state.tomas ? { tomasFollowers: (await all('/v1/me/followers', state.tomas)).length } : {}),
    communities: (await all('/v1/communities', admin)).length,
  }
  for (const community of await all<{ id: string; slug: string }>('/v1/communities', admin)) {
    counts[`${community.slug}:members`] = (await all(`/v1/communities/${community.id}/members`, admin)).length
    counts[`${community.slug}:channels`] = (await all(`/v1/communities/${community.id}/channels`, admin)).length
    const events = await all<{ going: number }>(`/v1/communities/${community.id}/events?upcoming=false`, admin)
    counts[`${community.slug}:events`] = events.length
    counts[`${community.slug}:going`] = events.reduce((sum, event) => sum + event.going, 0)
    counts[`${community.slug}:posts`] = (await all(`/v1/communities/${community.id}/posts`, admin)).length
    counts[`${community.slug}:cases`] = (await all(`/v1/communities/${community.id}/moderation/cases`, admin)).length
  }
  for (const [slug, id] of state.courses) {
    counts[`${slug}:enrolments`] = (await all(`/v1/courses/${id}/enrolments`, admin)).length
    counts[`${slug}:questions`] = (await all(`/v1/courses/${id}/questions`, admin)).length
    counts[`${slug}:submitted`] = (await all(`/v1/courses/${id}/submissions?status=submitted`, admin)).length
    counts[`${slug}:graded`] = (await all(`/v1/courses/${id}/submissions?status=graded`, admin)).length
    const course = await ok<{ version: number }>('GET', `/v1/courses/${id}`, { token: admin })
    counts[`${slug}:version`] = course.version
    counts[`${slug}:price versions`] = (await all(`/v1/courses/${id}/prices/history`, admin)).length
  }
  const mail = await t.app.inject({
    method: 'GET',
    url: `/v1/ops/mail?limit=100&tenantId=${state.tenantId}`,
    headers: t.auth(t.operatorToken),
  })
  counts.mail = (mail.json() as { data: unknown[] }).data.length
  return counts
}

const auditCount = async (admin: string) => (await all('/v1/audit-events', admin)).length

describe('the development seed', { timeout: 240_000 }, () => {
  it('outside the development profile makes only the demo tenant, as before', async () => {
    const testProfile = { ...t, platform: { ...t.platform, config: { ...t.config, profile: 'test' as const } } }
    const seed = await seedDemo(testProfile)
    expect(seed).toMatchObject({ created: true, areas: [] })
    expect(seed.accounts).toBeUndefined()
    state.tenantId = seed.tenantId
    expect(await all(`/v1/catalogue/courses`)).toEqual([])
    await expect(readFile(credentialsFile(), 'utf8')).rejects.toThrow(/ENOENT/)
  })

  it('takes over a data directory of the previous version and fills the demo tenant through the API', async () => {
    // What the previous version left: the administrator and the operator, and their sign-ins in the file.
    state.oldAdminPassword = 'tidewater-lantern-83-quince'
    const operatorPassword = 'marble-orchard-41-kestrel'
    await createDemoMember(t.platform, {
      tenantId: state.tenantId,
      email: 'admin@demo.localhost',
      displayName: 'Demo Admin',
      password: state.oldAdminPassword,
      roles: ['tenant_admin'],
    })
    const operator = await t.modules.identity.operators.accounts.create(systemContext(t.platform.database, null), {
      email: 'operator@lyceum.localhost',
      displayName: 'Development Operator',
      password: operatorPassword,
    })
    const old = {
      admin: { email: 'admin@demo.localhost', password: state.oldAdminPassword },
      operator: { email: 'operator@lyceum.localhost', password: operatorPassword, totpSecret: operator.totpSecret },
    }
    await writeFile(credentialsFile(), JSON.stringify(old))

    const seed: DemoSeed = await seedDemo(t, { jobsRunHere: true })
    expect(seed.created).toBe(false)
    expect(seed.areas).toEqual([
      expect.objectContaining({ name: 'learning', outcome: 'seeded' }),
      expect.objectContaining({ name: 'commerce', outcome: 'seeded' }),
      expect.objectContaining({ name: 'tax-and-coupons', outcome: 'seeded' }),
      expect.objectContaining({ name: 'orders', outcome: 'seeded' }),
      expect.objectContaining({ name: 'social', outcome: 'seeded' }),
      expect.objectContaining({ name: 'communities', outcome: 'seeded' }),
      expect.objectContaining({ name: 'moderation', outcome: 'seeded' }),
      expect.objectContaining({ name: 'notifications', outcome: 'seeded' }),
      expect.objectContaining({ name: 'webhooks', outcome: 'seeded' }),
    ])
    const stored = await readCredentials()
    expect(stored).toMatchObject(old)
    expect(stored.members?.map((m) => m.email).sort()).toEqual([
      'amara@demo.localhost',
      'elena@demo.localhost',
      'maya@demo.localhost',
      'tomas@demo.localhost',
    ])
    state.admin = await signIn('admin@demo.localhost')
    for (const member of await all<{ userId: string; email: string }>('/v1/members', state.admin))
      state.users.set(member.email, member.userId)
  })

  it('lists the published courses in the anonymous catalogue of the demo host, across levels, languages and categories', async () => {
    const listed = await all<CatalogueCourse>('/v1/catalogue/courses')
    expect(listed.map((c) => c.slug).sort()).toEqual(DEMO_LEARNING.courses.map((c) => c.slug).sort())
    for (const course of listed) state.courses.set(course.slug, course.id)
    expect(new Set(listed.map((c) => c.level))).toEqual(new Set(['beginner', 'intermediate', 'all']))
    expect(new Set(listed.map((c) => c.language))).toEqual(new Set(['en', 'fr']))
    expect(new Set(listed.map((c) => c.category)).size).toBe(3)
    // The README tour's search.
    const found = await all<CatalogueCourse>('/v1/catalogue/courses?q=python&level=beginner')
    expect(found.map((c) => c.slug)).toEqual(['python-from-scratch'])

    const detail = await ok<{ modules: Array<{ title: string; lessons: Array<{ title: string }> }> }>(
      'GET',
      '/v1/catalogue/courses/python-from-scratch',
    )
    expect(detail.modules.map((m) => m.title)).toEqual([
      'Getting started',
      'Making decisions and repeating work',
      'Functions',
      'Project: a word counter',
    ])
  })

  it('sells two courses and the learning path in US dollars and euros, and keeps Python free', async () => {
    type Prices = {
      free: boolean
      productId: string | null
      prices: Array<{ price: { amount: number; currency: string } }>
    }
    const shown = async (url: string) => {
      const body = await ok<Prices>('GET', url)
      return [body.free, body.prices.map((p) => `${p.price.amount} ${p.price.currency}`)]
    }
    expect(await shown('/v1/catalogue/courses/data-analysis-with-pandas/prices')).toEqual([
      false,
      ['4500 EUR', '4900 USD'],
    ])
    expect(await shown('/v1/catalogue/courses/photographie-maitriser-la-lumiere/prices')).toEqual([
      false,
      ['2700 EUR', '2900 USD'],
    ])
    expect(await shown('/v1/catalogue/courses/python-from-scratch/prices')).toEqual([true, []])
    expect(await shown('/v1/catalogue/paths/python-for-data-analysis/prices')).toEqual([
      false,
      ['5400 EUR', '5900 USD'],
    ])
    const settings = await ok<{ allowedCurrencies: string[]; baseCurrency: string }>('GET', '/v1/commerce/settings', {
      token: state.admin,
    })
    expect(settings).toMatchObject({ allowedCurrencies: ['EUR', 'USD'], baseCurrency: 'USD' })
    const free = await all<{ slug: string }>('/v1/catalogue/courses?free=true')
    expect(free.map((c) => c.slug)).toEqual(['python-from-scratch'])
  })

  it('publishes the learning path with its courses in order and the prerequisite', async () => {
    const path = await ok<{ courses: Array<{ id: string; slug: string; prerequisites: string[] }> }>(
      'GET',
      '/v1/catalogue/paths/python-for-data-analysis',
    )
    expect(path.courses.map((c) => [c.slug, c.prerequisites])).toEqual([
      ['python-from-scratch', []],
      ['data-analysis-with-pandas', [state.courses.get('python-from-scratch')]],
    ])
  })

  it("shows a learner's dashboard with progress, drip-locked lessons and a lesson to open", async () => {
    const maya = await signIn('maya@demo.localhost')
    const mine = await all<{ slug: string; percent: number; completed: boolean }>('/v1/me/courses', maya)
    const bySlug = new Map(mine.map((c) => [c.slug, c]))
    expect(bySlug.get('python-from-scratch')).toMatchObject({ percent: 50, completed: false })
    expect(bySlug.get('data-analysis-with-pandas')).toMatchObject({ percent: 85, completed: false })
    expect(bySlug.get('photographie-maitriser-la-lumiere')).toMatchObject({ percent: 0, completed: false })

    const python = state.courses.get('python-from-scratch')!
    const progress = await ok<{
      lessons: Array<{ lessonId: string; title: string; status: string; reason?: string; until?: string }>
    }>('GET', `/v1/learn/courses/${python}/progress`, { token: maya })
    const enrolledAt = (await all<{ courseId: string; enrolledAt: string }>('/v1/me/enrolments', maya)).find(
      (e) => e.courseId === python,
    )!.enrolledAt
    const functions = progress.lessons.find((l) => l.title === 'Defining your own functions')
    expect(functions).toMatchObject({ status: 'locked', reason: 'drip_locked' })
    expect(Date.parse(functions!.until!)).toBe(Date.parse(enrolledAt) + 7 * DAY_MS)

    const open = progress.lessons.find((l) => l.status === 'completed')!
    const lesson = await ok<{ lesson: { title: string; body: string } }>(
      'GET',
      `/v1/learn/courses/${python}/lessons/${open.lessonId}`,
      { token: maya },
    )
    expect(lesson.lesson).toMatchObject({ title: 'What a program is' })
    expect(lesson.lesson.body).toContain('print("Hello, world!")')

    const amara = await signIn('amara@demo.localhost')
    const resume = await ok<{ lesson: { title: string; timeSpentSeconds: number; position: object } | null }>(
      'GET',
      '/v1/me/continue',
      { token: amara },
    )
    expect(resume.lesson).toMatchObject({
      title: 'La sensibilité ISO et le bruit',
      timeSpentSeconds: 240,
      position: { scrollPercent: 45 },
    })
  })

  it("puts the submitted assignment in the instructor's grading queue and the quiz results in the gradebook", async () => {
    const elena = await signIn('elena@demo.localhost')
    const pandas = state.courses.get('data-analysis-with-pandas')!
    const queue = await all<{ userId: string; status: string; text: string }>(
      `/v1/courses/${pandas}/submissions`,
      elena,
    )
    expect(queue).toEqual([
      expect.objectContaining({ userId: state.users.get('maya@demo.localhost'), status: 'submitted' }),
    ])
    const quizLesson = DEMO_LEARNING.courses
      .find((c) => c.slug === 'data-analysis-with-pandas')!
      .modules.flatMap((m) => m.lessons)
      .find((l) => l.title === PANDAS_QUIZ)!
    expect(quizLesson.kind).toBe('quiz')
    const gradebook = await all<{
      userId: string
      grades: Array<{ kind: string; bestScore: number; maxScore: number }>
    }>(`/v1/courses/${pandas}/gradebook`, elena)
    const quizScore = (email: string) =>
      gradebook.find((row) => row.userId === state.users.get(email))?.grades.find((g) => g.kind === 'quiz')
    // Tomás answered everything right, the short-answer pattern included; Maya missed one point.
    expect(quizScore('tomas@demo.localhost')).toMatchObject({ bestScore: 7, maxScore: 7 })
    expect(quizScore('maya@demo.localhost')).toMatchObject({ bestScore: 6, maxScore: 7 })
  })

  it('has issued the certificate of the completed course through the platform job, and it verifies publicly', async () => {
    const tomas = await signIn('tomas@demo.localhost')
    const certificates = await all<{ courseId: string; verificationUrl: string }>('/v1/me/certificates', tomas)
    expect(certificates).toEqual([
      expect.objectContaining({ courseId: state.courses.get('data-analysis-with-pandas') }),
    ])
    const url = new URL(certificates[0]!.verificationUrl)
    expect(url.hostname).toBe(HOST)
    const verified = await ok<{ valid: boolean; recipientName: string; courseTitle: string }>('GET', url.pathname)
    expect(verified).toMatchObject({
      valid: true,
      recipientName: 'Tomás Ferreira',
      courseTitle: 'Data Analysis with pandas',
    })
  })

  it('sells as a seller of record in Germany with rates for DE, FR and New York, and offers WELCOME10', async () => {
    const profile = await ok<Record<string, unknown>>('GET', '/v1/commerce/tax/profile', { token: state.admin })
    expect(profile).toMatchObject({
      mode: 'seller_of_record',
      sellerCountry: 'DE',
      sellerTaxId: 'DE123456789',
      sellerAddress: ['Musterstraße 1', '10115 Berlin', 'Germany'],
      reverseChargeB2B: true,
      version: 1,
    })
    const rates = await all<{ country: string; region: string | null; rate: string }>(
      '/v1/commerce/tax/rates',
      state.admin,
    )
    expect(rates.map((rate) => [rate.region ?? rate.country, rate.rate])).toEqual([
      ['DE', '0.19'],
      ['FR', '0.2'],
      ['US-NY', '0.08875'],
    ])
    const coupons = await all<Record<string, unknown>>('/v1/commerce/coupons', state.admin)
    expect(coupons).toEqual([
      expect.objectContaining({
        code: 'WELCOME10',
        kind: 'percent',
        percentOff: '10',
        maxDiscounts: [
          { amount: 2000, currency: 'EUR' },
          { amount: 2000, currency: 'USD' },
        ],
        status: 'active',
      }),
    ])
  })

  it('has Tomás buy the photography course with the sandbox test card: the sandbox webhook job pays it', async () => {
    state.tomas = await signIn('tomas@demo.localhost')
    const prices = await ok<{ productId: string }>('GET', `/v1/catalogue/courses/${PHOTOGRAPHIE_LUMIERE.slug}/prices`)
    const orders = await all<{ id: string; status: string; lines: Array<{ productId: string }> }>(
      '/v1/me/orders',
      state.tomas,
    )
    expect(orders).toEqual([
      expect.objectContaining({ lines: [expect.objectContaining({ productId: prices.productId })] }),
    ])
    const orderId = orders[0]!.id
    // EUR 27.00 billed to Germany: 19 % VAT on top. Paid only once the sandbox's capture arrived.
    let order: Record<string, unknown> = {}
    await waitUntil(
      'the demo order paid',
      async () => {
        order = await ok('GET', `/v1/orders/${orderId}`, { token: state.tomas })
        return order.status === 'paid'
      },
      60_000,
    )
    expect(order).toMatchObject({
      currency: 'EUR',
      total: { amount: 3213, currency: 'EUR' },
      provider: 'sandbox',
      billing: { country: 'DE' },
      needsRefund: false,
    })
    const photography = await ok<{ id: string }>('GET', `/v1/catalogue/courses/${PHOTOGRAPHIE_LUMIERE.slug}`)
    const enrolments = await all<{ courseId: string; status: string }>('/v1/me/enrolments', state.tomas)
    expect(enrolments).toContainEqual(expect.objectContaining({ courseId: photography.id, status: 'active' }))
    const sales = await all<{ externalReference: string; amount: { amount: number } }>(
      '/v1/commerce/ledger/transactions?kind=capture',
      state.admin,
    )
    expect(sales.filter((sale) => sale.externalReference === orderId)).toEqual([
      expect.objectContaining({ amount: { amount: 3213, currency: 'EUR' } }),
    ])
    // The receipt: the invoice issued from order.paid by its job.
    const invoices = async () =>
      (await all<{ orderId: string }>('/v1/me/invoices', state.tomas)).filter((invoice) => invoice.orderId === orderId)
    await waitUntil('the demo order invoiced', async () => (await invoices()).length === 1, 60_000)
    expect(await invoices()).toEqual([expect.objectContaining({ orderId, total: { amount: 3213, currency: 'EUR' } })])
  })

  it('has Maya follow Tomás, and the two exchange direct messages', async () => {
    const mayaId = state.users.get('maya@demo.localhost')
    const followers = await all<{ followerId: string; status: string }>('/v1/me/followers', state.tomas)
    expect(followers).toEqual([expect.objectContaining({ followerId: mayaId, status: 'accepted' })])
    const threads = await all<{ id: string; kind: string; unreadCount: number }>('/v1/dm/threads', state.tomas)
    expect(threads).toEqual([expect.objectContaining({ kind: 'direct', unreadCount: 0 })])
    const messages = await all<{ senderId: string; body: string }>(
      `/v1/dm/threads/${threads[0]!.id}/messages?order=asc`,
      state.tomas,
    )
    expect(messages.map((m) => [m.senderId === mayaId ? 'maya' : 'tomas', m.body])).toEqual(
      DEMO_CONVERSATION.messages.map((m) => [m.by === 0 ? 'maya' : 'tomas', m.body]),
    )
  })

  it("opens Elena's Python study hall: three channels, the demo learners in it, Maya moderating, the course's learners by their enrolment", async () => {
    const [hall] = await all<{ id: string; slug: string; courseId: string }>('/v1/communities', state.admin)
    expect(hall).toMatchObject({ slug: 'python-study-hall', courseId: state.courses.get('python-from-scratch') })
    const base = `/v1/communities/${hall!.id}`
    const channels = await all<{ name: string; kind: string; access: string }>(`${base}/channels`, state.admin)
    expect(channels.map((c) => [c.name, c.kind, c.access])).toEqual([
      ['general', 'text', 'members'],
      ['announcements', 'announcement', 'members'],
      ['course-learners', 'text', 'course'],
    ])
    const members = await all<{ userId: string; role: string }>(`${base}/members`, state.admin)
    const roleOf = (email: string) => members.find((m) => m.userId === state.users.get(email))?.role
    expect(members).toHaveLength(4)
    expect(roleOf('elena@demo.localhost')).toBe('owner')
    expect(roleOf('maya@demo.localhost')).toBe('moderator')
    expect(roleOf('tomas@demo.localhost')).toBe('member')
    // A study session next week at 18:00 Berlin time, which the three demo learners attend.
    const events = await all<{ title: string; startsAtLocal: string; going: number; capacity: number }>(
      `${base}/events`,
      state.admin,
    )
    expect(events).toEqual([
      expect.objectContaining({ title: 'Weekly study session: loops and functions', going: 3, capacity: 20 }),
    ])
    expect(events[0]!.startsAtLocal).toMatch(/T18:00:00\+0[12]:00$/)
    // A pinned welcome post leads the feed, then the members' posts, newest first.
    const posts = await all<{ title: string; pinned: boolean; commentCount: number; reactionCounts: object }>(
      `${base}/posts`,
      state.admin,
    )
    expect(posts.map((p) => [p.title, p.pinned])).toEqual([
      ['Welcome to the Python Study Hall', true],
      ['My first FizzBuzz', false],
      ['Study group for the first module?', false],
    ])
    // Tomás's comment (the communities area) and Amara's (the notifications area).
    expect(posts[2]).toMatchObject({ commentCount: 2, reactionCounts: { like: 1, celebrate: 1 } })
    // Amara's report on Tomás's post opened a case in the study hall's queue (the moderation area).
    const cases = await all<{ targetKind: string; status: string; reporterCount: number }>(
      `${base}/moderation/cases`,
      state.admin,
    )
    expect(cases).toEqual([expect.objectContaining({ targetKind: 'post', status: 'open', reporterCount: 1 })])
    // Maya is enrolled in Python: the backfill job adds her course source beside her own join.
    const maya = state.users.get('maya@demo.localhost')
    await waitUntil('the course source of an enrolled learner', async () => {
      const detail = await ok<{ sources: Array<{ kind: string }> }>('GET', `${base}/members/${maya}`, {
        token: state.admin,
      })
      return detail.sources.some((source) => source.kind === 'course')
    })
    // The seeded posts, comment, likes and accepted answer earn points once their events are
    // delivered: Tomás has his post (2), his comment (1), three likes on it (1 each) and the accepted answer (10).
    const community = (entry: { communityId: string | null }) => entry.communityId === hall!.id
    let earned: Array<{ eventType: string; points: number; communityId: string | null }> = []
    await waitUntil("Tomás's points", async () => {
      earned = (await all<(typeof earned)[number]>('/v1/me/points/log', state.tomas)).filter(community)
      return earned.some((entry) => entry.eventType === 'answer_accepted')
    })
    const social = earned.filter((entry) => entry.eventType !== 'lesson_completed')
    expect(social.map((entry) => [entry.eventType, entry.points]).sort()).toEqual([
      ['answer_accepted', 10],
      ['comment_created', 1],
      ['post_liked', 1],
      ['post_liked', 1],
      ['post_liked', 1],
      ['post_published', 2],
    ])
    const board = await ok<{ data: Array<{ userId: string; points: number }> }>('GET', `${base}/leaderboard`, {
      token: state.tomas,
    })
    expect(board.data.map((entry) => entry.userId)).toContain(state.users.get('tomas@demo.localhost'))
  })

  it("gives the learners notification preferences and inbox items, and the tenant a webhook endpoint for the developer's receiver", async () => {
    const maya = await signIn('maya@demo.localhost')
    const prefs = await ok<{
      types: Array<{ type: string; channels: Record<string, { enabled: boolean }> }>
      quietHours: unknown
    }>('GET', '/v1/me/notification-preferences', { token: maya })
    expect(prefs.quietHours).toEqual({ startsAt: '22:00', endsAt: '07:00' })
    expect(prefs.types.find((p) => p.type === 'community.post_mentioned')?.channels.email?.enabled).toBe(false)
    // Comments on her post reach her inbox from their events: Tomás's and Amara's.
    const inbox = await waitUntil("Maya's inbox", async () => {
      const items = await all<{ type: string; read: boolean }>('/v1/me/notifications', maya)
      const comments = items.filter((item) => item.type === 'community.comment_created')
      return comments.length >= 2 ? comments : undefined
    })
    expect(inbox.every((item) => !item.read)).toBe(true)
    const tomas = await signIn('tomas@demo.localhost')
    const his = await all<{ type: string }>('/v1/me/notifications', tomas)
    expect(his.map((item) => item.type)).toContain('community.comment_created')
    // The webhook endpoint at the demo receiver, its secret kept for the receiver script.
    const kept = JSON.parse(await readFile(path.join(dataDir, 'dev-webhook.json'), 'utf8')) as DevWebhook
    expect(kept).toMatchObject({ url: DEMO_RECEIVER_URL, secret: expect.stringMatching(/^whsec_/) })
    const endpoints = await all<{ id: string; url: string; enabled: boolean }>('/v1/webhook-endpoints', state.admin)
    expect(endpoints).toEqual([expect.objectContaining({ id: kept.endpointId, url: DEMO_RECEIVER_URL, enabled: true })])
    const deliveries = await all<{ eventType: string }>(
      `/v1/webhook-endpoints/${kept.endpointId}/deliveries`,
      state.admin,
    )
    expect(deliveries.map((d) => d.eventType)).toContain('webhooks.test_event')
  })

  it('changes nothing when run again: no sign-in, no audit entry, every count equal', async () => {
    // The first run's mails (7 enrolment confirmations, the grade, the certificate, and for Tomás's
    // paid order its enrolment confirmation and receipt) are sent by jobs: let them settle.
    await waitUntil("the first run's mail", async () => (await domainCounts(state.admin)).mail === 11)
    state.snapshot = await domainCounts(state.admin)
    const audit = await auditCount(state.admin)
    const again = await seedDemo(t, { jobsRunHere: true })
    expect(again.areas).toEqual([
      expect.objectContaining({ name: 'learning', outcome: 'present' }),
      expect.objectContaining({ name: 'commerce', outcome: 'present' }),
      expect.objectContaining({ name: 'tax-and-coupons', outcome: 'present' }),
      expect.objectContaining({ name: 'orders', outcome: 'present' }),
      expect.objectContaining({ name: 'social', outcome: 'present' }),
      expect.objectContaining({ name: 'communities', outcome: 'present' }),
      expect.objectContaining({ name: 'moderation', outcome: 'present' }),
      expect.objectContaining({ name: 'notifications', outcome: 'present' }),
      expect.objectContaining({ name: 'webhooks', outcome: 'present' }),
    ])
    expect(await domainCounts(state.admin)).toEqual(state.snapshot)
    expect(await auditCount(state.admin)).toBe(audit)
  })

  it('changes nothing either when its record is lost: everything is found and left as it is, and no session is left behind', async () => {
    await rm(path.join(dataDir, 'demo-content.json'))
    const again = await seedDemo(t, { jobsRunHere: true })
    expect(again.areas).toEqual([
      expect.objectContaining({ name: 'learning', outcome: 'seeded' }),
      expect.objectContaining({ name: 'commerce', outcome: 'seeded' }),
      expect.objectContaining({ name: 'tax-and-coupons', outcome: 'seeded' }),
      expect.objectContaining({ name: 'orders', outcome: 'seeded' }),
      expect.objectContaining({ name: 'social', outcome: 'seeded' }),
      expect.objectContaining({ name: 'communities', outcome: 'seeded' }),
      expect.objectContaining({ name: 'moderation', outcome: 'seeded' }),
      expect.objectContaining({ name: 'notifications', outcome: 'seeded' }),
      expect.objectContaining({ name: 'webhooks', outcome: 'seeded' }),
    ])
    expect(await domainCounts(state.admin)).toEqual(state.snapshot)
    // The run signed the demo accounts in and out again: only this test's own session is live.
    const sessions = await all('/v1/me/sessions', state.admin)
    expect(sessions).toHaveLength(1)
  })

  it('finishes a draft an interrupted run left behind instead of making a second course', async () => {
    const elena = await signIn('elena@demo.localhost')
    const spec: CourseSpec = {
      slug: 'interrupted-course',
      title: 'Interrupted course',
      summary: 'Left half written by a seed run that stopped.',
      description: 'A draft.',
      level: 'beginner',
      language: 'en',
      category: 'testing',
      tags: [],
      modules: [
        {
          title: 'The real module',
          lessons: [
            { kind: 'text', title: 'A lesson', body: '# A lesson' },
            {
              kind: 'quiz',
              title: 'A quiz',
              body: 'One question.',
              quiz: {
                passingPercent: 100,
                attemptLimit: null,
                questions: [
                  {
                    question: { kind: 'true_false', prompt: 'Is this resumed?', answerKey: { value: true } },
                    answer: true,
                  },
                ],
              },
            },
          ],
        },
      ],
    }
    // The interrupted run: the draft, a module, and the quiz's question already in the bank.
    const created = await call('POST', '/v1/courses', {
      token: elena,
      payload: { slug: spec.slug, title: spec.title },
    })
    expect(created.statusCode).toBe(201)
    const courseId = (created.json() as { id: string }).id
    await ok('POST', `/v1/courses/${courseId}/modules`, {
      token: elena,
      ifMatch: String(created.headers.etag),
      payload: { title: 'Half written' },
    })
    await ok('POST', `/v1/courses/${courseId}/questions`, {
      token: elena,
      payload:
        spec.modules[0]!.lessons[1]!.kind === 'quiz' ? spec.modules[0]!.lessons[1]!.quiz.questions[0]!.question : {},
    })

    await rm(path.join(dataDir, 'demo-content.json'))
    const seed = await seedDemo(t, {
      areas: [learningArea({ instructor: 'elena@demo.localhost', courses: [spec], learners: [], paths: [] })],
    })
    expect(seed.areas).toEqual([expect.objectContaining({ outcome: 'seeded' })])
    const courses = (await all<{ slug: string; id: string; status: string }>('/v1/courses', state.admin)).filter(
      (c) => c.slug === spec.slug,
    )
    expect(courses).toEqual([expect.objectContaining({ id: courseId, status: 'published' })])
    const detail = await ok<{ modules: Array<{ title: string; lessons: Array<{ title: string }> }> }>(
      'GET',
      `/v1/catalogue/courses/${spec.slug}`,
    )
    expect(detail.modules.map((m) => [m.title, m.lessons.map((l) => l.title)])).toEqual([
      ['The real module', ['A lesson', 'A quiz']],
    ])
    expect(await all(`/v1/courses/${courseId}/questions`, elena)).toHaveLength(1)
  })
})
