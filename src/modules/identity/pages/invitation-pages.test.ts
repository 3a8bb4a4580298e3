/**
 * The invitation page, followed from the captured mail with a real HTTP client: a new address
 * signs up, an existing account signs in (with its second factor when it has one), and either way
 * the browser ends up signed in with the invited roles. GET uses nothing; forged forms are refused.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { accountsClient, STRONG_PASSWORD, uniqueEmail } from '../accounts/accounts.testing.ts'
import { INVITATION_SUBJECT_PREFIX } from '../accounts/accounts.testing.ts'
import { awayFromStepEdge, codeAt, mfaClient } from '../mfa/mfa.testing.ts'
import { sessionsClient } from '../sessions/sessions.testing.ts'
import { formOf, freePort, linkIn, listen, listeningEnv, pageClient } from './pages.testing.ts'

let t: TestApp
let port: number
beforeAll(async () => {
  port = await freePort()
  t = await buildTestApp({ env: listeningEnv(port) })
  await listen(t)
})
afterAll(async () => t?.close())

const origin = (slug: string) => `http://${slug}.localhost:${port}`

async function invited(tenantId: string, email: string, roles?: string[]) {
  const response = await t.app.inject({
    method: 'POST',
    url: `/v1/tenants/${tenantId}/invitations`,
    headers: t.auth(t.operatorToken),
    payload: { email, ...(roles ? { roles } : {}) },
  })
  expect(response.statusCode, response.body).toBe(201)
  const mail = (await accountsClient(t).outbox(email)).find((m) => m.subject.startsWith(INVITATION_SUBJECT_PREFIX))
  return { id: response.json().id as string, link: linkIn(mail!.text, '/invitation') }
}

const statusOf = async (id: string) =>
  (await accountsClient(t).query<{ status: string }>(sql`SELECT status FROM identity.invitations WHERE id = ${id}`))[0]
    ?.status

describe('invitation page', () => {
  it('lets a new address sign up: the browser is signed in as the tenant administrator', async () => {
    const tenant = await t.createTenant({ name: 'Acme Academy' })
    const email = uniqueEmail('invitee')
    const invitation = await invited(tenant.id, email)
    expect(invitation.link.startsWith(`${origin(tenant.slug)}/invitation?token=`)).toBe(true)
    const browser = pageClient()
    expect((await pageClient().get(invitation.link)).status).toBe(200) // a scanner's prefetch
    const page = await browser.get(invitation.link)
    expect(page.status).toBe(200)
    expect(page.body).toContain('Join Acme Academy')
    expect(page.body).toContain(`This invitation is for ${email}, as administrator.`)
    expect(formOf(page.body).action).toBe('/invitation')
    expect(await statusOf(invitation.id)).toBe('pending')

    const forged = await browser.submit(page, {
      csrf: 'x',
      newPassword: STRONG_PASSWORD,
      confirmPassword: STRONG_PASSWORD,
    })
    expect(forged.status).toBe(403)
    const differ = await browser.submit(page, { newPassword: STRONG_PASSWORD, confirmPassword: 'something else' })
    expect(differ.status).toBe(400)
    expect(differ.body).toContain('The two passwords differ')
    expect(await statusOf(invitation.id)).toBe('pending')

    const done = await browser.submit(differ, {
      displayName: 'Grace',
      newPassword: STRONG_PASSWORD,
      confirmPassword: STRONG_PASSWORD,
    })
    expect(done.status).toBe(200)
    expect(done.body).toContain('Welcome to Acme Academy! You are now a member as learner, administrator.')
    expect(done.body).toContain('Sign-in succeeded')
    expect(done.headers['set-cookie']?.some((c) => c.startsWith('__Host-lyceum_session='))).toBe(true)
    const me = JSON.parse((await browser.api('GET', `${origin(tenant.slug)}/v1/me`)).body)
    expect(me).toMatchObject({ email, displayName: 'Grace', emailVerified: true, roles: ['learner', 'tenant_admin'] })
    expect(await statusOf(invitation.id)).toBe('accepted')
    expect((await browser.get(invitation.link)).status).toBe(400)
  })

  it('lets an existing account sign in with its password to accept; a wrong password shows the form again', async () => {
    const tenant = await t.createTenant()
    const sessions = sessionsClient(t)
    const email = await sessions.signUp(tenant.slug)
    const invitation = await invited(tenant.id, email, ['instructor'])
    const browser = pageClient()
    const page = await browser.get(invitation.link)
    expect(page.body).toContain('You already have an account with this address')
    expect(formOf(page.body).action).toBe('/invitation/sign-in')

    const wrong = await browser.submit(page, { password: 'not-the-password-at-all' })
    expect(wrong.status).toBe(401)
    expect(formOf(wrong.body).action).toBe('/invitation/sign-in')
    expect(await statusOf(invitation.id)).toBe('pending')

    const done = await browser.submit(wrong, { password: STRONG_PASSWORD })
    expect(done.status).toBe(200)
    expect(done.body).toContain('You are now a member as instructor, learner.')
    const me = JSON.parse((await browser.api('GET', `${origin(tenant.slug)}/v1/me`)).body)
    expect(me.roles).toEqual(['instructor', 'learner'])
    expect(await statusOf(invitation.id)).toBe('accepted')
  })

  it('lets an account that never confirmed its address accept: the invitation link proves it', async () => {
    const tenant = await t.createTenant()
    const sessions = sessionsClient(t)
    const email = await sessions.signUp(tenant.slug, { verify: false })
    expect((await sessions.login(tenant.slug, email)).json().code).toBe('EMAIL_NOT_VERIFIED')
    const invitation = await invited(tenant.id, email, ['instructor'])
    const browser = pageClient()
    const done = await browser.submit(await browser.get(invitation.link), { password: STRONG_PASSWORD })
    expect(done.status).toBe(200)
    expect(done.body).toContain('You are now a member as instructor, learner.')
    expect(JSON.parse((await browser.api('GET', `${origin(tenant.slug)}/v1/me`)).body)).toMatchObject({
      emailVerified: true,
    })
  })

  it('asks an account with TOTP for its code, and accepts in the same step', async () => {
    const api = mfaClient(t)
    const user = await api.user()
    const { secret } = (await api.enrol(user.slug, user.accessToken)).json() as { secret: string }
    await awayFromStepEdge()
    expect((await api.confirm(user.slug, user.accessToken, await codeAt(secret, 0))).statusCode).toBe(200)
    const invitation = await invited(user.id, user.email, ['moderator'])
    const browser = pageClient()
    const challenge = await browser.submit(await browser.get(invitation.link), { password: STRONG_PASSWORD })
    expect(challenge.status).toBe(200)
    expect(formOf(challenge.body).action).toBe('/invitation/mfa')
    // Signing in alone accepts nothing: the second step does.
    expect(await statusOf(invitation.id)).toBe('pending')
    await awayFromStepEdge()
    const done = await browser.submit(challenge, { code: await codeAt(secret, 1) })
    expect(done.status).toBe(200)
    expect(done.body).toContain('as learner, moderator')
    expect(await statusOf(invitation.id)).toBe('accepted')
  })

  it('shows a human page for a used, revoked or unknown link', async () => {
    const tenant = await t.createTenant()
    const email = uniqueEmail('revoked')
    const invitation = await invited(tenant.id, email)
    await t.app.inject({
      method: 'DELETE',
      url: `/v1/tenants/${tenant.id}/invitations/${invitation.id}`,
      headers: t.auth(t.operatorToken),
    })
    const page = await pageClient().get(invitation.link)
    expect(page.status).toBe(400)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.body).toContain('The invitation link is invalid, already used, revoked or expired')
    const missing = await pageClient().get(`${origin(tenant.slug)}/invitation`)
    expect(missing.status).toBe(400)
  })
})
