/**
 * A key-encryption-key rotation (`lyceum keys reencrypt`) moves the tenants' issuer keys with every
 * other sealed column: afterwards each registered column opens under the new key only, and an app
 * started with only the new key still signs status lists and issues certificates that an
 * independent verifier accepts, under the same issuer did:key as before.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, TEST_KEY_ENCRYPTION_KEY, type TestApp } from '../../../test/build-test-app.ts'
import { reencryptSecrets, sealedRows } from '../../platform/crypto/reencrypt.ts'
import { opensUnder, parseKeyEncryptionKey } from '../../platform/crypto/sealed-secrets.ts'
import { platformScope, tenantScope } from '../../platform/db/database.ts'
import { openPglite } from '../../platform/db/pglite-database.ts'
import { systemContext } from '../../platform/http/request-context.ts'
import { waitUntil } from '../../platform/jobs/testing.ts'
import { buildPublishedCourse } from '../catalogue/testing.ts'
import { createMember, enrolmentClient } from '../enrolment/testing.ts'
import { PROGRESS_COURSE_COMPLETED } from '../progress/index.ts'
import { independentVerifier } from './testing.ts'

const KEK1 = TEST_KEY_ENCRYPTION_KEY
const KEK2 = randomBytes(32).toString('base64url')

let t: TestApp
let next: TestApp | undefined
let firstClosed = false
beforeAll(async () => {
  t = await buildTestApp({ worker: true })
})
afterAll(async () => {
  await next?.close()
  if (!firstClosed) await t?.close()
})

type Credential = Record<string, unknown> & { issuer: { id: string } }

/** A learner of the tenant completes a new course on `app`; the certificate it gets and its credential. */
async function certify(app: TestApp, tenantId: string) {
  const instructor = await createMember(app, tenantId, ['instructor'])
  const learner = await createMember(app, tenantId)
  const course = await buildPublishedCourse(app.platform.database, tenantId, instructor.userId)
  const enrolled = await enrolmentClient(app).selfEnrol(course.courseId, learner.token)
  expect(enrolled.statusCode, enrolled.body).toBe(201)
  const ctx = systemContext(app.platform.database, tenantId)
  await app.platform.database.transaction(tenantScope(tenantId), (tx) =>
    app.platform.events.publish(tx, ctx, {
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
  const get = (url: string) => app.app.inject({ method: 'GET', url, headers: app.auth(learner.token) })
  const certificate = await waitUntil('the certificate to be issued', async () => {
    const { data } = (await get('/v1/me/certificates')).json() as { data: Array<{ id: string }> }
    return data[0]
  })
  const credential = await get(`/v1/me/certificates/${certificate.id}/credential`)
  expect(credential.statusCode).toBe(200)
  return credential.json() as Credential
}

/** Proof and revocation status, the status list fetched from `app` on the tenant's host. */
const verifierOn = (app: TestApp) =>
  independentVerifier((url) => app.app.inject({ method: 'GET', url: url.pathname, headers: { host: url.host } }))

describe('lyceum keys reencrypt and the issuer keys', () => {
  it('moves every registered column, issuer keys included, to the new key; certificates still issue and verify', async () => {
    const tenant = await t.createTenant({ name: 'Rotation Academy' })
    const before = await certify(t, tenant.id)
    expect((await verifierOn(t).verify(before)).verified).toBe(true)

    const result = await reencryptSecrets(t.platform.database, t.platform.sealedColumns, {
      previousKey: KEK1,
      currentKey: KEK2,
    })
    const counts = Object.fromEntries(result.tables.map((table) => [table.table, table.reencrypted]))
    expect(counts['credentials.issuer_keys']).toBeGreaterThanOrEqual(1)

    // Every row of every registered column opens under the new key and no longer under the old one.
    const [kek1, kek2] = [parseKeyEncryptionKey(KEK1), parseKeyEncryptionKey(KEK2)]
    const columns = t.platform.sealedColumns.columns()
    expect(columns.map((column) => column.name)).toContain('credentials.issuer_keys')
    await t.platform.database.transaction(platformScope, async (tx) => {
      for (const column of columns)
        for (const row of await sealedRows(tx, column)) {
          expect(await opensUnder(row.ciphertext, kek2), `${column.name} ${row.id}`).toBe(true)
          expect(await opensUnder(row.ciphertext, kek1), `${column.name} ${row.id}`).toBe(false)
        }
    })

    // An app that knows only the new key (embedded: a copy of this database; PostgreSQL: the same one).
    const pglite = t.platform.pglite ? await openPglite('memory://', await t.platform.pglite.dumpDataDir('none')) : null
    await t.close()
    firstClosed = true
    next = await buildTestApp({ worker: true, env: { KEY_ENCRYPTION_KEY: KEK2 }, ...(pglite ? { pglite } : {}) })
    // The status list is signed with the issuer key on request: the old credential still verifies.
    expect((await verifierOn(next).verify(before)).verified).toBe(true)
    const after = await certify(next, tenant.id)
    expect(after.issuer.id).toBe(before.issuer.id)
    const verified = await verifierOn(next).verify(after)
    expect(verified.error).toBeUndefined()
    expect(verified.verified).toBe(true)
    // Re-encrypts every sealed column and issues and verifies certificates twice: over 30 s on a loaded machine.
  }, 120_000)
})
