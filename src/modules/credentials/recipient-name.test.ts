/**
 * Defect 10 (issue 9): a certificate never shows the learner's email address, not on the public
 * verification answer, in the lists or in the PDF. It shows the display name (set with
 * PATCH /v1/me) or a masked form of the address; certificates issued before with the address as
 * their name are corrected by a data migration and their PDF is rendered again.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, testDatabaseUrl, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf, tenantScope } from '../../platform/db/database.ts'
import { MIGRATIONS_FOLDER } from '../../platform/db/migrate.ts'
import { pgliteOwner, postgresOwner } from '../../platform/db/owner-connection.ts'
import { systemContext } from '../../platform/http/request-context.ts'
import { waitUntil } from '../../platform/jobs/testing.ts'
import { buildPublishedCourse } from '../catalogue/testing.ts'
import { createMember, enrolmentClient, type TestMember } from '../enrolment/testing.ts'
import { PROGRESS_COURSE_COMPLETED } from '../progress/index.ts'
import { maskEmail } from './recipient-name.ts'
import { pdfContent } from './testing.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({ worker: true })
})
afterAll(async () => t?.close())

const call = (method: 'GET' | 'PATCH', url: string, token?: string, payload?: unknown, host?: string) =>
  t.app.inject({
    method,
    url,
    headers: { ...(token ? t.auth(token) : {}), ...(host ? { host } : {}) },
    ...(payload === undefined ? {} : { payload: payload as object }),
  })

const pdfText = (pdf: Buffer) => pdfContent(pdf).text

async function outbox(to: string): Promise<Array<{ subject: string; text: string }>> {
  const response = await call('GET', `/v1/ops/mail?limit=100&to=${encodeURIComponent(to)}`, t.operatorToken)
  expect(response.statusCode).toBe(200)
  return (response.json() as { data: Array<{ subject: string; text: string }> }).data
}

type Certificate = { id: string; recipientName: string; verificationUrl: string }

/** A learner of a new tenant completes a course; resolves to the certificate the job issued. */
async function certificateFor(prepare?: (learner: TestMember) => Promise<void>) {
  const tenant = await t.createTenant({ name: 'Harbour Academy' })
  const instructor = await createMember(t, tenant.id, ['instructor'])
  const learner = await createMember(t, tenant.id)
  await prepare?.(learner)
  const course = await buildPublishedCourse(t.platform.database, tenant.id, instructor.userId, { title: 'Engines' })
  const enrolled = await enrolmentClient(t).selfEnrol(course.courseId, learner.token)
  expect(enrolled.statusCode, enrolled.body).toBe(201)
  const ctx = systemContext(t.platform.database, tenant.id)
  await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
    t.platform.events.publish(tx, ctx, {
      type: PROGRESS_COURSE_COMPLETED,
      payload: {
        enrolmentId: enrolled.json().id as string,
        userId: learner.userId,
        courseId: course.courseId,
        versionId: course.published.versionId,
        completedAt: new Date().toISOString(),
      },
    }),
  )
  const certificate = await waitUntil('the certificate to be issued', async () => {
    const list = (await call('GET', '/v1/me/certificates', learner.token)).json() as { data: Certificate[] }
    return list.data[0]
  })
  return { tenant, learner, certificate }
}

/** Everything that shows a certificate: the learner's list, the public verification answer, the PDF. */
async function everythingShown(learner: TestMember, certificate: Certificate) {
  const url = new URL(certificate.verificationUrl)
  const list = await call('GET', '/v1/me/certificates', learner.token)
  const verification = await call('GET', url.pathname, undefined, undefined, url.host)
  expect(verification.statusCode).toBe(200)
  const pdf = await call('GET', `/v1/me/certificates/${certificate.id}/pdf`, learner.token)
  expect(pdf.statusCode).toBe(200)
  return { list: list.body, verification: verification.json(), pdf: pdfText(pdf.rawPayload) }
}

describe('the name on a certificate', () => {
  it('masks the address when the learner has no display name: page, list and PDF never contain it', async () => {
    const { learner, certificate } = await certificateFor()
    const masked = maskEmail(learner.email)
    expect(masked).toMatch(/^m\*\*\*@e\*\*\*\.org$/)
    expect(certificate.recipientName).toBe(masked)
    const shown = await everythingShown(learner, certificate)
    expect(shown.verification.recipientName).toBe(masked)
    expect(shown.pdf).toContain(masked)
    for (const text of [shown.list, JSON.stringify(shown.verification), shown.pdf]) {
      expect(text).not.toContain(learner.email)
      expect(text).not.toContain(learner.email.split('@')[0])
    }
    // The mail asks for a display name instead of greeting a masked address.
    const mail = await waitUntil('the certificate mail', async () => (await outbox(learner.email))[0])
    expect(mail.text).toMatch(/^Hello,\n/)
    expect(mail.text).toContain('Set one in your profile')
  })

  it('prints the display name the learner set with PATCH /v1/me', async () => {
    const { learner, certificate } = await certificateFor(async (member) => {
      const updated = await call('PATCH', '/v1/me', member.token, { displayName: '  Ada Lovelace ' })
      expect(updated.statusCode, updated.body).toBe(200)
      expect(updated.json()).toMatchObject({ displayName: 'Ada Lovelace', email: member.email })
    })
    expect(certificate.recipientName).toBe('Ada Lovelace')
    const shown = await everythingShown(learner, certificate)
    expect(shown.verification.recipientName).toBe('Ada Lovelace')
    expect(shown.pdf).toContain('Ada Lovelace')
    expect(shown.pdf).not.toContain(learner.email)
  })
})

describe('PATCH /v1/me', () => {
  it('validates the display name: trimmed, 1-100 characters, no control or bidirectional characters', async () => {
    const tenant = await t.createTenant()
    const member = await createMember(t, tenant.id)
    const refused = async (displayName: unknown, code: string) => {
      const response = await call('PATCH', '/v1/me', member.token, { displayName })
      expect([response.statusCode, response.json().code], JSON.stringify(displayName)).toEqual([400, code])
    }
    await refused('', 'VALIDATION_FAILED')
    await refused('   ', 'DISPLAY_NAME_BLANK')
    await refused('a'.repeat(101), 'VALIDATION_FAILED')
    await refused('Ada\nLovelace', 'VALIDATION_FAILED')
    await refused('Ada\u0085', 'VALIDATION_FAILED')
    await refused('Ada \u202eecalevoL', 'VALIDATION_FAILED')
    const extra = await call('PATCH', '/v1/me', member.token, { displayName: 'Ada', email: 'x@example.org' })
    expect(extra.statusCode).toBe(400)
    await refused(null, 'VALIDATION_FAILED')
    expect((await call('PATCH', '/v1/me', member.token, {})).statusCode).toBe(400)
    expect((await call('GET', '/v1/me', member.token)).json().displayName).toBeNull()
    expect((await call('PATCH', '/v1/me', member.token, { displayName: 'Ada' })).json().displayName).toBe('Ada')
    expect((await call('GET', '/v1/me', member.token)).json().displayName).toBe('Ada')
  })

  it('needs a signed-in member', async () => {
    const response = await call('PATCH', '/v1/me', undefined, { displayName: 'Ada' })
    expect(response.statusCode).toBe(401)
  })
})

describe('certificates issued with the address as their name', () => {
  it('are corrected by the data migration, and their PDF is rendered again without the address', async () => {
    const withName = await certificateFor()
    const withoutName = await certificateFor()
    // What earlier releases stored: the address itself as the recipient name.
    const storeAddress = (id: string, email: string) =>
      t.platform.database.transaction(platformScope, (tx) =>
        tx.execute(sql`UPDATE credentials.certificates SET recipient_name = ${email} WHERE id = ${id}`),
      )
    await storeAddress(withName.certificate.id, withName.learner.email)
    await storeAddress(withoutName.certificate.id, withoutName.learner.email)
    await t.platform.database.transaction(tenantScope(withName.tenant.id), (tx) =>
      tx.execute(sql`UPDATE identity.users SET display_name = 'Grace Hopper' WHERE id = ${withName.learner.userId}`),
    )

    await runMigration('0021_certificate_recipient_names_rls.sql')

    const stored = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ id: string; recipientName: string; pdfKey: string }>(
        tx,
        sql`SELECT id, recipient_name AS "recipientName", pdf_key AS "pdfKey" FROM credentials.certificates
             WHERE id IN (${withName.certificate.id}, ${withoutName.certificate.id})`,
      ),
    )
    const byId = new Map(stored.map((row) => [row.id, row]))
    expect(byId.get(withName.certificate.id)).toMatchObject({ recipientName: 'Grace Hopper', pdfKey: '' })
    expect(byId.get(withoutName.certificate.id)).toMatchObject({
      recipientName: maskEmail(withoutName.learner.email),
      pdfKey: '',
    })

    const shown = await everythingShown(withoutName.learner, withoutName.certificate)
    expect(shown.pdf).toContain(maskEmail(withoutName.learner.email))
    for (const text of [shown.list, JSON.stringify(shown.verification), shown.pdf])
      expect(text).not.toContain(withoutName.learner.email)
    const [after] = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ pdfKey: string }>(
        tx,
        sql`SELECT pdf_key AS "pdfKey" FROM credentials.certificates WHERE id = ${withoutName.certificate.id}`,
      ),
    )
    expect(after?.pdfKey).toBe(`tenants/${withoutName.tenant.id}/certificates/${withoutName.certificate.id}.pdf`)
    expect((await everythingShown(withName.learner, withName.certificate)).pdf).toContain('Grace Hopper')
  })
})

/** Runs one committed migration file again, as the owner, on this file's own database. */
async function runMigration(file: string): Promise<void> {
  const statements = readFileSync(path.join(MIGRATIONS_FOLDER, file), 'utf8').split('--> statement-breakpoint')
  const owner = testDatabaseUrl() ? await postgresOwner(testDatabaseUrl()) : pgliteOwner(t.platform.pglite!)
  try {
    for (const statement of statements) await owner.exec(statement)
  } finally {
    await owner.close()
  }
}
