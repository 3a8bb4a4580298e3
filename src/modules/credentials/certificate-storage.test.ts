/**
 * Certificate PDFs on S3-compatible storage (a real s3rver on a random port): issued PDFs land in
 * the bucket under the tenant's prefix; an issue whose transaction fails leaves no object behind;
 * a PDF whose write after the commit failed is rendered and stored on its first download, and the
 * retried job finds it there. The local driver runs every other credentials test.
 */
import { randomUUID } from 'node:crypto'
import { buffer } from 'node:stream/consumers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import type { ObjectStore } from '../../platform/storage/index.ts'
import { startFakeS3, type FakeS3 } from '../../platform/storage/testing.ts'
import { buildPublishedCourse } from '../catalogue/testing.ts'
import { createMember, enrolmentClient } from '../enrolment/testing.ts'
import { issueCertificate, type IssuingDeps } from './issue-certificate.ts'
import { parseKeyEncryptionKey } from './issuer-keys.ts'
import { pdfContent } from './testing.ts'

let s3: FakeS3
let t: TestApp
beforeAll(async () => {
  s3 = await startFakeS3()
  t = await buildTestApp({ env: s3.env })
})
afterAll(async () => {
  await t?.close()
  await s3?.close()
})

function issuingDeps(overrides: Partial<IssuingDeps> = {}): IssuingDeps {
  return {
    database: t.platform.database,
    events: t.platform.events,
    notify: t.modules.notifications.notify,
    logger: t.platform.logger,
    urls: { publicUrl: t.config.http.publicUrl, baseDomain: t.config.http.baseDomain },
    store: t.platform.storage,
    keyEncryptionKey: parseKeyEncryptionKey(t.config.signingKeys.keyEncryptionKey),
    ...overrides,
  }
}

/** A learner enrolled in a published course, whose completion the test reports itself. */
async function completion() {
  const tenant = await t.createTenant({ name: 'Bucket Academy' })
  const instructor = await createMember(t, tenant.id, ['instructor'])
  const learner = await createMember(t, tenant.id)
  const course = await buildPublishedCourse(t.platform.database, tenant.id, instructor.userId, { title: 'Tides' })
  const enrolled = await enrolmentClient(t).selfEnrol(course.courseId, learner.token)
  expect(enrolled.statusCode, enrolled.body).toBe(201)
  const job = {
    tenantId: tenant.id,
    enrolmentId: enrolled.json().id as string,
    userId: learner.userId,
    courseId: course.courseId,
  }
  return { tenant, learner, job }
}

const objectsOf = async (tenantId: string) =>
  (await t.platform.storage.list(`tenants/${tenantId}/certificates/`)).objects.map((o) => o.key)

const downloadPdf = (certificateId: string, token: string) =>
  t.app.inject({ method: 'GET', url: `/v1/me/certificates/${certificateId}/pdf`, headers: t.auth(token) })

describe('certificate PDFs on S3', () => {
  it('reports the bucket in readiness', async () => {
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready', headers: t.auth(t.operatorToken) })
    expect(ready.statusCode).toBe(200)
    expect(ready.json().checks['object-storage']).toMatchObject({ status: 'ok' })
  })

  it('stores the issued PDF in the bucket under the tenant prefix and serves it', async () => {
    const { tenant, learner, job } = await completion()
    const certificate = await issueCertificate(issuingDeps(), job)
    expect(certificate?.pdfKey).toBe(`tenants/${tenant.id}/certificates/${certificate?.id}.pdf`)
    expect(await objectsOf(tenant.id)).toEqual([certificate!.pdfKey])
    const stored = await t.platform.storage.get(certificate!.pdfKey)
    expect(stored.contentType).toBe('application/pdf')
    const bytes = await buffer(stored.body)
    const response = await downloadPdf(certificate!.id, learner.token)
    expect(response.statusCode).toBe(200)
    expect(response.rawPayload).toEqual(bytes)
    expect(pdfContent(response.rawPayload).text).toContain('Tides')
  })

  it('leaves no object behind when the issuing transaction fails', async () => {
    const { tenant, learner, job } = await completion()
    const failingEvents = {
      ...t.platform.events,
      publish: async () => {
        throw new Error('the event outbox is down')
      },
    }
    await expect(issueCertificate(issuingDeps({ events: failingEvents }), job)).rejects.toThrow(/outbox is down/)
    expect(await objectsOf(tenant.id)).toEqual([])
    const list = await t.app.inject({ method: 'GET', url: '/v1/me/certificates', headers: t.auth(learner.token) })
    expect(list.json().data).toEqual([])
  })

  it('renders a PDF whose write failed after the commit on its first download; the retried job finds it', async () => {
    const { tenant, learner, job } = await completion()
    const failingStore: ObjectStore = {
      ...t.platform.storage,
      put: async () => {
        throw new Error('the bucket is unreachable')
      },
    }
    await expect(issueCertificate(issuingDeps({ store: failingStore }), job)).rejects.toThrow(/unreachable/)
    const list = await t.app.inject({ method: 'GET', url: '/v1/me/certificates', headers: t.auth(learner.token) })
    const [certificate] = list.json().data as Array<{ id: string }>
    expect(certificate).toBeDefined()
    expect(await objectsOf(tenant.id)).toEqual([])

    const response = await downloadPdf(certificate!.id, learner.token)
    expect(response.statusCode).toBe(200)
    expect(pdfContent(response.rawPayload).text).toContain('Tides')
    const key = `tenants/${tenant.id}/certificates/${certificate!.id}.pdf`
    expect(await objectsOf(tenant.id)).toEqual([key])

    // The job's retry: the certificate exists and so does its PDF; nothing is issued or written again.
    const stored = await t.platform.storage.head(key)
    const again = await issueCertificate(issuingDeps(), job)
    expect(again?.id).toBe(certificate!.id)
    expect((await t.platform.storage.head(key))?.sha256).toBe(stored?.sha256)
  })

  it('serves signed downloads with ranges from the bucket', async () => {
    const { tenant, learner } = await completion()
    const key = `tenants/${tenant.id}/files-test/clip.webm`
    await t.platform.storage.put(key, Buffer.from('0123456789'), { contentType: 'video/webm' })
    const token = t.platform.fileTokens.sign({ tenantId: tenant.id, userId: learner.userId, key, ttlSeconds: 60 })
    const response = await t.app.inject({
      method: 'GET',
      url: `/v1/files/${token}`,
      headers: { ...t.auth(learner.token), range: 'bytes=2-4' },
    })
    expect(response.statusCode).toBe(206)
    expect(response.headers['content-range']).toBe('bytes 2-4/10')
    expect(response.headers['content-type']).toBe('video/webm')
    expect(response.body).toBe('234')
    const past = await t.app.inject({
      method: 'GET',
      url: `/v1/files/${token}`,
      headers: { ...t.auth(learner.token), range: 'bytes=10-' },
    })
    expect(past.statusCode).toBe(416)
    expect(past.headers['content-range']).toBe('bytes */10')
  })

  it('never reads another tenant’s key for a certificate', async () => {
    const { readPdf } = await import('./certificate-files.ts')
    await expect(
      readPdf(t.platform.storage, randomUUID(), `tenants/${randomUUID()}/certificates/x.pdf`),
    ).rejects.toThrow(/not a certificate key/)
  })
})
