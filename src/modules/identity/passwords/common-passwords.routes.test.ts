import { randomBytes } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { accountsClient, uniqueEmail } from '../accounts/accounts.testing.ts'

let t: TestApp
let api: ReturnType<typeof accountsClient>
let slug: string
beforeAll(async () => {
  t = await buildTestApp({ env: { RATE_LIMITS: 'auth=1000/10000' } })
  api = accountsClient(t)
  slug = (await t.createTenant()).slug
})
afterAll(async () => t?.close())

async function refusedWith(email: string, password: string): Promise<string[]> {
  const response = await api.register(slug, { email, password })
  expect(response.statusCode, password).toBe(400)
  expect(response.json().code).toBe('PASSWORD_POLICY_VIOLATION')
  expect(await api.query(sql`SELECT 1 FROM identity.users WHERE email = ${email}`)).toEqual([])
  return (response.json().errors as { path: string; code: string }[]).map((e) => `${e.path}:${e.code}`)
}

describe('registration against the bundled password lists', () => {
  it('refuses breached passwords of 12+ characters from the SecLists and zxcvbn lists, in any case', async () => {
    for (const password of ['bulldogsfan36', 'IloveUnicorns', 'stylishsummer@2014', 'Afterthought']) {
      expect(await refusedWith(uniqueEmail('breached'), password)).toEqual(['body.password:common'])
    }
  })

  it('refuses the email local part and the service name as passwords', async () => {
    const local = `quentin.${randomBytes(4).toString('hex')}`
    expect(await refusedWith(`${local}@example.org`, local.toUpperCase())).toEqual(['body.password:contains_email'])
    expect(await refusedWith(uniqueEmail('named'), 'lyceum-lyceum-lyceum')).toEqual([
      'body.password:contains_service_name',
    ])
  })

  it('accepts a strong random passphrase', async () => {
    const words = Array.from(
      randomBytes(5),
      (byte) => ['amber', 'quartz', 'meadow', 'falcon', 'cobalt', 'tundra', 'willow', 'harbor'][byte % 8],
    )
    const password = `${words.join('-')}-${randomBytes(3).toString('hex')}`
    const response = await api.register(slug, { email: uniqueEmail('strong'), password })
    expect(response.statusCode).toBe(202)
  })
})
