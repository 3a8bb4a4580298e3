/**
 * The certificate journey from the completion event on: the issuing job, the learner's PDF and
 * Open Badges credential, public verification, revocation through the status list, the e-mail,
 * idempotency and tenant isolation. The credential is checked with an independent verifier
 * (@digitalcredentials/vc with the eddsa-rdfc-2022 cryptosuite) and a document loader written
 * here, and the status list is decoded here with zlib per the Bitstring Status List spec.
 */
import { gunzipSync } from 'node:zlib'
import { sql } from 'drizzle-orm'
import { DataIntegrityProof } from '@digitalcredentials/data-integrity'
import { cryptosuite } from '@digitalcredentials/eddsa-rdfc-2022-cryptosuite'
import * as vc from '@digitalcredentials/vc'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf, tenantScope } from '../../platform/db/database.ts'
import { forgedCursor } from '../../platform/http/pagination.testing.ts'
import { systemContext } from '../../platform/http/request-context.ts'
import { jobsMatching, waitUntil } from '../../platform/jobs/testing.ts'
import { buildPublishedCourse } from '../catalogue/testing.ts'
import { createMember, enrolmentClient } from '../enrolment/testing.ts'
import { users } from '../identity/testing.ts'
import { PROGRESS_COURSE_COMPLETED, type CourseCompletedPayload } from '../progress/index.ts'
import { CREDENTIALS_CERTIFICATE_ISSUED, CREDENTIALS_CERTIFICATE_REVOKED, ISSUE_CERTIFICATE } from './index.ts'
import { bitAt, independentVerifier, pdfContent, verifierLoader } from './testing.ts'

/** The subject of credentials.certificate_issued in English (notifications' templates). */
const CERTIFICATE_READY = 'Your certificate is ready'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({ worker: true })
})
afterAll(async () => t?.close())

// ---- an independent verifier (credentials/testing.ts): its own loader, the library's checks --

/** GET on the host a URL names (the tenant's subdomain), as a remote verifier would. */
const fetchUrl = (url: string | URL) => {
  const parsed = new URL(url)
  return t.app.inject({ method: 'GET', url: parsed.pathname, headers: { host: parsed.host } })
}

type Credential = Record<string, unknown> & {
  issuer: { id: string } | string
  credentialStatus?: { statusListCredential: string; statusListIndex: string; statusPurpose: string }
}

const { verify } = independentVerifier(fetchUrl)

// ---- fixtures --------------------------------------------------------------------------

/** The credentials events about a certificate in the outbox, oldest first. */
const certificateEvents = (certificateId: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ type: string; payload: Record<string, unknown> }>(
      tx,
      sql`SELECT type, payload FROM platform.domain_events WHERE type LIKE 'credentials.%' AND payload->>'certificateId' = ${certificateId} ORDER BY occurred_at, id`,
    ),
  )

async function learnerNamed(tenantId: string, displayName: string) {
  const member = await createMember(t, tenantId)
  await t.platform.database.transaction(tenantScope(tenantId), (tx) =>
    tx
      .update(users)
      .set({ displayName })
      .where(sql`${users.id} = ${member.userId}`),
  )
  return member
}

async function completeCourse(tenantId: string, payload: Omit<CourseCompletedPayload, 'completedAt'>): Promise<string> {
  const ctx = systemContext(t.platform.database, tenantId)
  return t.platform.database.transaction(tenantScope(tenantId), (tx) =>
    t.platform.events.publish(tx, ctx, {
      type: PROGRESS_COURSE_COMPLETED,
      payload: { ...payload, completedAt: new Date().toISOString() },
    }),
  )
}

/** Mail captured for `to`, read through the operator mail API. */
async function outbox(to: string): Promise<Array<{ subject: string; text: string }>> {
  const response = await t.app.inject({
    method: 'GET',
    url: `/v1/ops/mail?limit=100&to=${encodeURIComponent(to)}`,
    headers: t.auth(t.operatorToken),
  })
  expect(response.statusCode).toBe(200)
  return (response.json() as { data: Array<{ subject: string; text: string }> }).data
}

const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: t.auth(token) })

async function myCertificates(token: string) {
  const response = await get('/v1/me/certificates', token)
  expect(response.statusCode).toBe(200)
  return (
    response.json() as {
      data: Array<{
        id: string
        status: string
        verificationUrl: string
        courseTitle: string
        recipientName: string
        enrolmentId: string
      }>
    }
  ).data
}

/** The learner self-enrols; what a completion of that enrolment reports. */
async function enrolledIn(
  course: Awaited<ReturnType<typeof buildPublishedCourse>>,
  learner: { userId: string; token: string },
) {
  const enrolled = await enrolmentClient(t).selfEnrol(course.courseId, learner.token)
  expect(enrolled.statusCode, enrolled.body).toBe(201)
  return {
    enrolmentId: enrolled.json().id as string,
    userId: learner.userId,
    courseId: course.courseId,
    versionId: course.published.versionId,
  }
}

async function issuedScenario() {
  const tenant = await t.createTenant({ name: 'Harbour Academy' })
  const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
  const instructor = await createMember(t, tenant.id, ['instructor'])
  const learner = await learnerNamed(tenant.id, 'Ada Lovelace')
  const course = await buildPublishedCourse(t.platform.database, tenant.id, instructor.userId, {
    title: 'Analytical Engines',
  })
  const completion = await enrolledIn(course, learner)
  await completeCourse(tenant.id, completion)
  const [certificate] = await waitUntil('the certificate to be issued', async () => {
    const list = await myCertificates(learner.token)
    return list.length > 0 && list
  })
  return { tenant, admin, learner, course, completion, certificate: certificate! }
}

// ---- tests -----------------------------------------------------------------------------

describe('issuing on course completion', () => {
  it('issues a PDF and a signed Open Badges 3.0 credential that an independent verifier accepts, and e-mails the learner', async () => {
    const { tenant, learner, course, completion, certificate } = await issuedScenario()
    expect(certificate).toMatchObject({
      courseTitle: 'Analytical Engines',
      recipientName: 'Ada Lovelace',
      status: 'active',
      enrolmentId: completion.enrolmentId,
    })
    expect(certificate.verificationUrl).toMatch(
      new RegExp(`^http://${tenant.slug}\\.localhost(:\\d+)?/v1/certificates/verify/[A-Za-z0-9_-]{20}$`),
    )

    const pdf = await get(`/v1/me/certificates/${certificate.id}/pdf`, learner.token)
    expect(pdf.statusCode).toBe(200)
    expect(pdf.headers['content-type']).toBe('application/pdf')
    expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    const { text, objects } = pdfContent(pdf.rawPayload)
    for (const expected of ['Ada Lovelace', 'Analytical Engines', 'Harbour Academy', certificate.verificationUrl])
      expect(text).toContain(expected)
    // The printed URL is also a clickable link.
    expect(objects).toContain(`/URI (${certificate.verificationUrl})`)

    const response = await get(`/v1/me/certificates/${certificate.id}/credential`, learner.token)
    expect(response.statusCode).toBe(200)
    const credential = response.json() as Credential & {
      credentialSubject: { achievement: { name: string } }
      proof: { cryptosuite: string }
    }
    expect(credential).toMatchObject({
      '@context': [
        'https://www.w3.org/ns/credentials/v2',
        'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
      ],
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      issuer: { type: ['Profile'], name: 'Harbour Academy' },
      credentialSubject: {
        type: ['AchievementSubject'],
        achievement: { type: ['Achievement'], name: 'Analytical Engines', criteria: { narrative: expect.any(String) } },
      },
      credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' },
      proof: { type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'assertionMethod' },
    })
    expect((credential.issuer as { id: string }).id).toMatch(/^did:key:z6Mk/)
    expect(credential.id).toBe(`urn:uuid:${certificate.id}`)
    expect(credential.credentialStatus?.statusListCredential).toBe(
      `${new URL(certificate.verificationUrl).origin}/v1/credentials/status-lists/revocation`,
    )

    const result = await verify(credential)
    expect(result.error).toBeUndefined()
    expect(result.verified).toBe(true)

    const tampered = structuredClone(credential)
    tampered.credentialSubject.achievement.name = 'Quantum Engines'
    expect((await verify(tampered)).verified).toBe(false)

    const mail = await waitUntil('the certificate e-mail', async () =>
      (await outbox(learner.email)).find((m) => m.subject === CERTIFICATE_READY),
    )
    expect(mail.text).toContain(certificate.verificationUrl)
    expect(mail.text).toContain('Analytical Engines')
    expect(course.courseId).toBe(completion.courseId)
  })

  it('issues one certificate per enrolment however often completion is reported', async () => {
    const { tenant, learner, completion, certificate } = await issuedScenario()
    await completeCourse(tenant.id, completion)
    await completeCourse(tenant.id, completion)
    await waitUntil('every issuing job to finish', async () => {
      const jobs = await jobsMatching(t.platform.database, ISSUE_CERTIFICATE, { enrolmentId: completion.enrolmentId })
      const events = await t.platform.database.transaction(platformScope, (tx) =>
        rowsOf<{ pending: string }>(
          tx,
          sql`SELECT count(*)::text AS pending FROM platform.domain_events WHERE payload->>'enrolmentId' = ${completion.enrolmentId} AND dispatched_at IS NULL`,
        ),
      )
      return events[0]?.pending === '0' && jobs.length > 0 && jobs.every((job) => job.state === 'completed')
    })
    const list = await myCertificates(learner.token)
    expect(list.map((c) => c.id)).toEqual([certificate.id])
    const mails = (await outbox(learner.email)).filter((m) => m.subject === CERTIFICATE_READY)
    expect(mails).toHaveLength(1)
    // Published once, in the issuing transaction, with ids only.
    expect(await certificateEvents(certificate.id)).toEqual([
      {
        type: CREDENTIALS_CERTIFICATE_ISSUED,
        payload: {
          certificateId: certificate.id,
          enrolmentId: completion.enrolmentId,
          userId: completion.userId,
          courseId: completion.courseId,
          issuedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      },
    ])
  })

  it('issues nothing for an enrolment cancelled before the job ran', async () => {
    const tenant = await t.createTenant()
    const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
    const instructor = await createMember(t, tenant.id, ['instructor'])
    const learner = await createMember(t, tenant.id)
    const course = await buildPublishedCourse(t.platform.database, tenant.id, instructor.userId)
    const completion = await enrolledIn(course, learner)
    expect(
      (await enrolmentClient(t).call('DELETE', `/v1/enrolments/${completion.enrolmentId}`, admin)).statusCode,
    ).toBe(204)
    await completeCourse(tenant.id, completion)
    await waitUntil('the issuing job to finish', async () => {
      const jobs = await jobsMatching(t.platform.database, ISSUE_CERTIFICATE, { enrolmentId: completion.enrolmentId })
      return jobs.length > 0 && jobs.every((job) => job.state === 'completed')
    })
    expect(await myCertificates(learner.token)).toEqual([])
  })
})

describe('verification and revocation', () => {
  it('verifies publicly by code, revokes with an audit entry, and then every verifier reports it revoked', async () => {
    const { tenant, admin, learner, certificate } = await issuedScenario()
    const verifyUrl = new URL(certificate.verificationUrl)
    const publicCheck = () =>
      t.app.inject({ method: 'GET', url: verifyUrl.pathname, headers: { host: verifyUrl.host } })

    const before = await publicCheck()
    expect(before.statusCode).toBe(200)
    expect(before.json()).toMatchObject({
      valid: true,
      status: 'active',
      recipientName: 'Ada Lovelace',
      courseTitle: 'Analytical Engines',
      issuer: { name: 'Harbour Academy', id: expect.stringMatching(/^did:key:/) },
    })
    expect(before.json()).not.toHaveProperty('revokedAt')

    const credential = (
      await get(`/v1/me/certificates/${certificate.id}/credential`, learner.token)
    ).json() as Credential
    expect((await verify(credential)).verified).toBe(true)

    const revokeAs = (token: string, reason = 'Assessment integrity breach') =>
      t.app.inject({
        method: 'POST',
        url: `/v1/certificates/${certificate.id}/revoke`,
        headers: t.auth(token),
        payload: { reason },
      })
    const denied = await revokeAs(learner.token)
    expect(denied.statusCode).toBe(403)

    const revoked = await revokeAs(admin)
    expect(revoked.statusCode).toBe(200)
    expect(revoked.json()).toMatchObject({
      id: certificate.id,
      status: 'revoked',
      revocationReason: 'Assessment integrity breach',
      revokedAt: expect.any(String),
    })
    expect((await revokeAs(admin)).json()).toMatchObject({ status: 409, code: 'CERTIFICATE_ALREADY_REVOKED' })
    const revocations = (await certificateEvents(certificate.id)).filter(
      (event) => event.type === CREDENTIALS_CERTIFICATE_REVOKED,
    )
    expect(revocations).toEqual([
      {
        type: CREDENTIALS_CERTIFICATE_REVOKED,
        payload: expect.objectContaining({ certificateId: certificate.id, revokedAt: revoked.json().revokedAt }),
      },
    ])

    const after = await publicCheck()
    expect(after.json()).toMatchObject({ valid: false, status: 'revoked', revokedAt: expect.any(String) })

    const status = credential.credentialStatus!
    const list = (await fetchUrl(status.statusListCredential)).json() as { credentialSubject: { encodedList: string } }
    expect(bitAt(list.credentialSubject.encodedList, Number(status.statusListIndex)).bit).toBe(true)
    const result = await verify(credential)
    expect(result.verified).toBe(false)
    expect(result.statusResult?.verified).toBe(false)

    const audit = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ action: string; details: { reason: string } }>(
        tx,
        sql`SELECT action, details FROM platform.audit_log WHERE tenant_id = ${tenant.id} AND target_id = ${certificate.id}`,
      ),
    )
    expect(audit).toEqual([
      {
        action: 'credentials.certificate_revoked',
        details: expect.objectContaining({ reason: 'Assessment integrity breach' }),
      },
    ])

    const listed = await get(`/v1/certificates?userId=${learner.userId}`, admin)
    expect(listed.json()).toMatchObject({ data: [{ id: certificate.id, status: 'revoked' }], nextCursor: null })
  })

  it('answers 404 for unknown codes and needs a tenant host', async () => {
    const tenant = await t.createTenant()
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/v1/certificates/verify/no-such-code',
      headers: { host: `${tenant.slug}.localhost` },
    })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toMatchObject({ code: 'CERTIFICATE_NOT_FOUND' })
    const noTenant = await t.app.inject({
      method: 'GET',
      url: '/v1/credentials/status-lists/revocation',
      headers: { host: 'localhost' },
    })
    expect(noTenant.statusCode).toBe(400)
  })

  it('publishes an all-clear signed status list of at least 131,072 bits for a tenant that never issued', async () => {
    const tenant = await t.createTenant()
    const response = await t.app.inject({
      method: 'GET',
      url: '/v1/credentials/status-lists/revocation',
      headers: { host: `${tenant.slug}.localhost` },
    })
    expect(response.statusCode).toBe(200)
    const list = response.json() as Credential & { credentialSubject: { encodedList: string; type: string } }
    expect(list.type).toEqual(['VerifiableCredential', 'BitstringStatusListCredential'])
    expect(list.credentialSubject.type).toBe('BitstringStatusList')
    const bytes = gunzipSync(Buffer.from(list.credentialSubject.encodedList.slice(1), 'base64url'))
    expect(bytes.length).toBe(16_384)
    expect(bytes.every((b) => b === 0)).toBe(true)
    expect(
      (
        await vc.verifyCredential({
          credential: list,
          suite: new DataIntegrityProof({ cryptosuite }),
          documentLoader: verifierLoader,
        })
      ).verified,
    ).toBe(true)
    // Signed once while nothing changes: the same proof again, not a new signature per request.
    const again = await t.app.inject({
      method: 'GET',
      url: '/v1/credentials/status-lists/revocation',
      headers: { host: `${tenant.slug}.localhost` },
    })
    expect(again.json()).toEqual(list)
  })
})

describe('listing', () => {
  it('answers 400 INVALID_CURSOR for a cursor forged with 30 February, never a database error', async () => {
    const tenant = await t.createTenant()
    const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
    const learner = await createMember(t, tenant.id)
    const cursor = forgedCursor(['2024-02-30T00:00:00.000000Z', '0190f3c2-7b1e-7a4e-9c1d-2f3a4b5c6d7e'])
    for (const [url, token] of [
      [`/v1/certificates?cursor=${cursor}`, admin],
      [`/v1/me/certificates?cursor=${cursor}`, learner.token],
    ] as const) {
      const response = await get(url, token)
      expect(response.statusCode, url).toBe(400)
      expect(response.json()).toMatchObject({ code: 'INVALID_CURSOR', errors: [{ path: 'querystring.cursor' }] })
    }
  })
})

describe('isolation', () => {
  it("hides a learner's certificate from other learners and from other tenants", async () => {
    const { tenant, learner, certificate } = await issuedScenario()
    const otherLearner = await createMember(t, tenant.id)
    for (const path of ['pdf', 'credential']) {
      const response = await get(`/v1/me/certificates/${certificate.id}/${path}`, otherLearner.token)
      expect(response.statusCode).toBe(404)
    }
    expect(await myCertificates(otherLearner.token)).toEqual([])

    const other = await t.createTenant()
    const otherAdmin = await t.tokenFor(other.id, ['tenant_admin'])
    expect((await get('/v1/certificates', otherAdmin)).json()).toMatchObject({ data: [] })
    const revoke = await t.app.inject({
      method: 'POST',
      url: `/v1/certificates/${certificate.id}/revoke`,
      headers: t.auth(otherAdmin),
      payload: { reason: 'not ours' },
    })
    expect(revoke.statusCode).toBe(404)
    // The learner's own token presented on the other tenant's host is refused outright.
    const elsewhere = await t.app.inject({
      method: 'GET',
      url: `/v1/me/certificates/${certificate.id}/pdf`,
      headers: { ...t.auth(learner.token), host: `${other.slug}.localhost` },
    })
    expect(elsewhere.statusCode).toBe(403)
    const code = new URL(certificate.verificationUrl).pathname
    expect(
      (await t.app.inject({ method: 'GET', url: code, headers: { host: `${other.slug}.localhost` } })).statusCode,
    ).toBe(404)
  })
})
