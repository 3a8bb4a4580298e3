/**
 * Delivery through the lesson entitlement decision: a lesson's media goes to entitled learners
 * (and to every member for preview lessons), never to a learner without entitlement; signed URLs
 * are bound to their user and expire; publication refuses a lesson whose asset is not clean.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { tenantScope } from '../../platform/db/database.ts'
import { tinyPng } from '../../platform/uploads/testing.ts'
import { buildCourse } from '../catalogue/testing.ts'
import { createMember, enrolmentClient } from '../enrolment/testing.ts'
import { assetsRepository } from './assets.repository.ts'
import { assetsClient } from './testing.ts'

let t: TestApp
let client: ReturnType<typeof assetsClient>
beforeAll(async () => {
  t = await buildTestApp({ worker: true })
  client = assetsClient(t)
})
afterAll(async () => t?.close())

async function setup() {
  const tenantId = (await t.createTenant()).id
  const owner = await createMember(t, tenantId, ['instructor'])
  const admin = await createMember(t, tenantId, ['tenant_admin'])
  const upload = async () => {
    const asset = (await client.upload(owner.token, tinyPng(), { use: 'image', filename: 'slide.png' })).json()
    await client.waitFor(owner.token, asset.id, ['unscanned'])
    return asset.id as string
  }
  const [media, preview] = [await upload(), await upload()]
  const course = await buildCourse(t.platform.database, tenantId, owner.userId, {
    modules: [
      {
        lessons: [
          { title: 'Trailer', kind: 'video', assetRef: preview, preview: true },
          { title: 'Lecture', kind: 'video', assetRef: media },
        ],
      },
    ],
  })
  const [trailer, lecture] = course.lessonIds[0]!
  const publish = () =>
    t.app.inject({ method: 'POST', url: `/v1/courses/${course.courseId}/publish`, headers: t.auth(admin.token) })
  return {
    tenantId,
    owner,
    admin,
    media,
    preview,
    courseId: course.courseId,
    trailer: trailer!,
    lecture: lecture!,
    publish,
  }
}

describe('GET /v1/assets/{id}/download-url through a lesson', () => {
  it('publishes only lessons whose assets are deliverable', async () => {
    const s = await setup()
    await t.platform.database.transaction(tenantScope(s.tenantId), (tx) =>
      assetsRepository.transition(tx, s.media, ['unscanned'], { state: 'scanning' }),
    )
    const refused = await s.publish()
    expect(refused.statusCode).toBe(422)
    expect(refused.json()).toMatchObject({ code: 'LESSON_ASSET_NOT_READY' })
    expect(refused.json().lessons).toEqual([{ lessonId: s.lecture, assetRef: s.media, problem: 'asset is scanning' }])
    await t.platform.database.transaction(tenantScope(s.tenantId), (tx) =>
      assetsRepository.transition(tx, s.media, ['scanning'], { state: 'clean' }),
    )
    expect((await s.publish()).statusCode).toBe(200)
  })

  it('serves a lesson media to an entitled learner only, and preview media to every member', async () => {
    const s = await setup()
    expect((await s.publish()).statusCode).toBe(200)
    const learner = await createMember(t, s.tenantId)
    const via = (lessonId: string) => `?courseId=${s.courseId}&lessonId=${lessonId}`
    const denied = await client.downloadUrl(learner.token, s.media, via(s.lecture))
    expect(denied.statusCode).toBe(403)
    expect(denied.json()).toMatchObject({ code: 'LESSON_ACCESS_DENIED', reason: 'not_enrolled' })
    expect((await client.downloadUrl(learner.token, s.media)).json()).toMatchObject({ code: 'ASSET_LESSON_REQUIRED' })
    expect((await client.downloadUrl(learner.token, s.preview, via(s.trailer))).statusCode).toBe(200)
    // Another lesson's asset through a lesson the learner may read: refused.
    expect((await client.downloadUrl(learner.token, s.media, via(s.trailer))).json()).toMatchObject({
      code: 'ASSET_NOT_IN_LESSON',
    })
    expect((await enrolmentClient(t).selfEnrol(s.courseId, learner.token)).statusCode).toBe(201)
    const granted = await client.downloadUrl(learner.token, s.media, via(s.lecture))
    expect(granted.statusCode).toBe(200)
    const { url } = granted.json()
    const file = await client.get(learner.token, url)
    expect(file.statusCode).toBe(200)
    expect(file.headers['content-type']).toBe('image/png')
    // The URL is the learner's: another member is refused, and it expires.
    const other = await createMember(t, s.tenantId)
    expect((await client.get(other.token, url)).json()).toMatchObject({ code: 'FILE_TOKEN_OTHER_USER' })
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 11 * 60_000 })
    try {
      const expired = await client.get(learner.token, url)
      expect(expired.statusCode).toBe(410)
    } finally {
      vi.useRealTimers()
    }
  })
})
