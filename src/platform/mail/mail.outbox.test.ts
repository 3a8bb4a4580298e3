/**
 * The development/test outbox end to end: a message sent in a business transaction is delivered
 * by the real job queue (no SMTP configured, so it is captured) and read by an operator over
 * /v1/ops/mail.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, tenantScope } from '../db/database.ts'
import { forgedCursor } from '../http/pagination.testing.ts'
import { jobsMatching, waitUntil } from '../jobs/testing.ts'
import { MAIL_DELIVER_QUEUE, type MailInput } from './index.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({ worker: true })
})
afterAll(async () => t?.close())

const recipient = () => `learner-${randomUUID().slice(0, 8)}@example.test`

const message = (overrides: Partial<MailInput> = {}): MailInput => ({
  tenantId: null,
  to: recipient(),
  subject: 'Your sign-in code',
  text: 'Your code is 493817. It expires in 10 minutes.',
  html: '<p>Your code is <strong>493817</strong>.</p>',
  messageKey: `test.sign_in_code:${randomUUID()}`,
  ...overrides,
})

const sendAsPlatform = (input: MailInput) =>
  t.platform.database.transaction(platformScope, (tx) => t.platform.mail.send(tx, input))
const ops = (url: string) => t.app.inject({ method: 'GET', url, headers: t.auth(t.operatorToken) })

async function waitForStatus(id: string, status: string): Promise<Record<string, unknown>> {
  return waitUntil(`mail ${id} to be ${status}`, async () => {
    const body = (await ops(`/v1/ops/mail/${id}`)).json() as Record<string, unknown>
    return body.status === status ? body : undefined
  })
}

describe('mail outbox', () => {
  it('captures a message sent in a business transaction and shows it to operators with its bodies', async () => {
    const input = message()
    const id = await sendAsPlatform(input)
    const read = await waitForStatus(id, 'captured')
    expect(read).toMatchObject({
      id,
      tenantId: null,
      messageKey: input.messageKey,
      to: input.to,
      from: t.config.mail.from,
      subject: input.subject,
      transport: 'outbox',
      attempts: 1,
      lastError: null,
      providerMessageId: null,
      text: input.text,
      html: input.html,
    })
    expect(Date.parse(read.sentAt as string)).toBeGreaterThanOrEqual(Date.parse(read.createdAt as string))
    const list = await ops(`/v1/ops/mail?to=${encodeURIComponent(input.to.toUpperCase())}`)
    expect(list.statusCode).toBe(200)
    expect(list.json()).toEqual({ data: [read], nextCursor: null })
  })

  it('sends a repeated message key once: one row and one delivery job', async () => {
    const input = message()
    const first = await sendAsPlatform(input)
    const second = await sendAsPlatform({ ...input, subject: 'Sent again by a retried request' })
    expect(second).toBe(first)
    await waitForStatus(first, 'captured')
    const rows = (await ops(`/v1/ops/mail?to=${encodeURIComponent(input.to)}`)).json().data
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ subject: input.subject, attempts: 1 })
    const jobs = await jobsMatching(t.platform.database, MAIL_DELIVER_QUEUE, { messageId: first })
    expect(jobs).toHaveLength(1)
  })

  it('leaves neither a message nor a job when the business transaction rolls back', async () => {
    const input = message()
    let id: string | undefined
    await expect(
      t.platform.database.transaction(platformScope, async (tx) => {
        id = await t.platform.mail.send(tx, input)
        throw new Error('the business write failed')
      }),
    ).rejects.toThrow('the business write failed')
    expect(id).toEqual(expect.any(String))
    expect((await ops(`/v1/ops/mail/${id}`)).statusCode).toBe(404)
    expect((await ops(`/v1/ops/mail?to=${encodeURIComponent(input.to)}`)).json().data).toEqual([])
    expect(await jobsMatching(t.platform.database, MAIL_DELIVER_QUEUE, { messageId: id })).toEqual([])
    // The key is free again: the retried business write sends the mail.
    const retried = await sendAsPlatform(input)
    await waitForStatus(retried, 'captured')
  })

  it("sends for a tenant from inside the tenant's own transaction", async () => {
    const tenant = await t.createTenant()
    const input = message({ tenantId: tenant.id })
    const id = await t.platform.database.transaction(tenantScope(tenant.id), (tx) => t.platform.mail.send(tx, input))
    expect(await waitForStatus(id, 'captured')).toMatchObject({ tenantId: tenant.id })
  })

  it('pages newest first and filters by recipient, status and tenant', async () => {
    const tenant = await t.createTenant()
    const to = recipient()
    const ids: string[] = []
    for (const tenantId of [null, tenant.id, tenant.id]) {
      const input = message({ to, tenantId })
      ids.push(
        await t.platform.database.transaction(tenantId ? tenantScope(tenantId) : platformScope, (tx) =>
          t.platform.mail.send(tx, input),
        ),
      )
    }
    for (const id of ids) await waitForStatus(id, 'captured')
    const first = (await ops(`/v1/ops/mail?to=${encodeURIComponent(to)}&limit=2`)).json()
    expect(first.data.map((m: { id: string }) => m.id)).toEqual([ids[2], ids[1]])
    const second = (await ops(`/v1/ops/mail?to=${encodeURIComponent(to)}&limit=2&cursor=${first.nextCursor}`)).json()
    expect(second).toMatchObject({ data: [{ id: ids[0] }], nextCursor: null })
    const ofTenant = (await ops(`/v1/ops/mail?tenantId=${tenant.id}`)).json()
    expect(ofTenant.data.map((m: { id: string }) => m.id)).toEqual([ids[2], ids[1]])
    expect((await ops(`/v1/ops/mail?to=${encodeURIComponent(to)}&status=captured`)).json().data).toHaveLength(3)
    expect((await ops(`/v1/ops/mail?to=${encodeURIComponent(to)}&status=queued`)).json().data).toEqual([])
  })

  it('reports SMTP as disabled in readiness because mail is captured', async () => {
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready', headers: t.auth(t.operatorToken) })
    expect(ready.json().checks.smtp).toMatchObject({ status: 'disabled', detail: 'mail captured in outbox' })
  })
})

describe('mail operator API errors', () => {
  it('requires authentication', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/ops/mail' })
    expect(response.statusCode).toBe(401)
    expect(response.headers['content-type']).toContain('application/problem+json')
  })

  it('refuses members of a tenant, even tenant admins', async () => {
    const tenant = await t.createTenant()
    const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
    for (const url of ['/v1/ops/mail', `/v1/ops/mail/${randomUUID()}`]) {
      const response = await t.app.inject({ method: 'GET', url, headers: t.auth(admin) })
      expect(response.statusCode).toBe(403)
      expect(response.json().code).toBe('OPERATOR_REQUIRED')
    }
  })

  it('answers 404 for a message that does not exist', async () => {
    const response = await ops(`/v1/ops/mail/${randomUUID()}`)
    expect(response.statusCode).toBe(404)
    expect(response.json().code).toBe('MAIL_MESSAGE_NOT_FOUND')
  })

  it('answers 400 naming the field for a malformed id, status, tenant or limit', async () => {
    const cases: Array<[string, string]> = [
      ['/v1/ops/mail/not-a-uuid', 'params.id'],
      ['/v1/ops/mail?status=delivered', 'querystring.status'],
      ['/v1/ops/mail?tenantId=acme', 'querystring.tenantId'],
      ['/v1/ops/mail?limit=500', 'querystring.limit'],
    ]
    for (const [url, path] of cases) {
      const response = await ops(url)
      expect(response.statusCode, url).toBe(400)
      expect(
        response.json().errors.map((e: { path: string }) => e.path),
        url,
      ).toContain(path)
    }
  })

  it('answers 400 INVALID_CURSOR for a cursor it did not issue', async () => {
    for (const cursor of ['bm9wZQ', forgedCursor(['yesterday', 'x']), forgedCursor([1, 2])]) {
      const response = await ops(`/v1/ops/mail?cursor=${cursor}`)
      expect(response.statusCode).toBe(400)
      expect(response.json().code).toBe('INVALID_CURSOR')
    }
  })
})
