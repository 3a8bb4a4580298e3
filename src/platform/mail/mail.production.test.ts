/**
 * In the production profile captured and sent mail is readable only as delivery metadata: bodies
 * carry password-reset links and sign-in codes, so the operator API never returns them.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope } from '../db/database.ts'

let t: TestApp
let operator: { authorization: string }
beforeAll(async () => {
  t = await buildTestApp({
    env: {
      LYCEUM_PROFILE: 'production',
      ALLOW_EMBEDDED_DATABASE: 'true',
      METRICS_TOKEN: randomUUID() + randomUUID(),
      PUBLIC_URL: 'https://api.lyceum.example.test',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      CLAMD_URL: 'unix:///run/clamav/clamd.ctl',
    },
  })
  // A real operator, signed in with password and TOTP by the harness.
  operator = t.auth(t.operatorToken)
})
afterAll(async () => t?.close())

describe('mail operator API in production', () => {
  it('lists and reads messages without their bodies', async () => {
    expect(t.config.profile).toBe('production')
    const to = `learner-${randomUUID().slice(0, 8)}@example.test`
    const id = await t.platform.database.transaction(platformScope, (tx) =>
      t.platform.mail.send(tx, {
        tenantId: null,
        to,
        subject: 'Reset your password',
        text: 'https://lyceum.test/reset?token=secret-reset-token',
        html: '<a href="https://lyceum.test/reset?token=secret-reset-token">Reset</a>',
        messageKey: `test.reset:${randomUUID()}`,
      }),
    )
    const read = await t.app.inject({ method: 'GET', url: `/v1/ops/mail/${id}`, headers: operator })
    expect(read.statusCode).toBe(200)
    expect(read.json()).toMatchObject({ id, to, subject: 'Reset your password', status: 'queued' })
    const list = await t.app.inject({
      method: 'GET',
      url: `/v1/ops/mail?to=${encodeURIComponent(to)}`,
      headers: operator,
    })
    expect(list.json().data).toEqual([read.json()])
    for (const shown of [read.json(), list.json().data[0]]) {
      expect(shown).not.toHaveProperty('text')
      expect(shown).not.toHaveProperty('html')
    }
    expect(read.body + list.body).not.toContain('secret-reset-token')
  })
})
