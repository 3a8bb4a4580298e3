/**
 * Email links end to end: the link is taken from the captured mail and followed with a real HTTP
 * client over TCP, as a browser would. The page loads on the tenant's host, GET uses nothing, the
 * form posts with its CSRF token, and the account is verified, the password reset or the browser
 * signed in. Forged, foreign and cookieless form posts are refused and use nothing.
 */
import { createHash } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { accountsClient, STRONG_PASSWORD, uniqueEmail } from '../accounts/accounts.testing.ts'
import { awayFromStepEdge, codeAt, mfaClient, wrongCode } from '../mfa/mfa.testing.ts'
import { sessionsClient } from '../sessions/sessions.testing.ts'
import {
  formOf,
  freePort,
  linkIn,
  listen,
  listeningEnv,
  pageClient,
  styleOf,
  type PageResponse,
} from './pages.testing.ts'

let t: TestApp
let port: number
beforeAll(async () => {
  port = await freePort()
  t = await buildTestApp({ env: listeningEnv(port) })
  await listen(t)
})
afterAll(async () => t?.close())

const accounts = () => accountsClient(t)
const origin = (slug: string) => `http://${slug}.localhost:${port}`

async function mailTo(email: string, subject: string) {
  const mail = (await accounts().outbox(email)).find((m) => m.subject === subject)
  if (!mail) throw new Error(`no "${subject}" mail to ${email}`)
  return mail
}

async function registered(tenantName?: string) {
  const tenant = await t.createTenant(tenantName ? { name: tenantName } : {})
  const email = uniqueEmail('page')
  const response = await accounts().register(tenant.slug, { email, password: STRONG_PASSWORD })
  expect(response.statusCode).toBe(202)
  const mail = await mailTo(email, 'Confirm your email address')
  return { ...tenant, email, link: linkIn(mail.text, '/verify-email'), mail }
}

const verifiedAt = async (tenantId: string, email: string) =>
  (
    await accounts().query<{ verified: boolean }>(
      sql`SELECT email_verified_at IS NOT NULL AS verified FROM identity.users WHERE tenant_id = ${tenantId} AND email = ${email}`,
    )
  )[0]?.verified

function expectPageHeaders(page: PageResponse) {
  expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
  expect(page.headers['cache-control']).toBe('no-store')
  expect(page.headers['referrer-policy']).toBe('no-referrer')
  const csp = String(page.headers['content-security-policy'])
  expect(csp).toContain("default-src 'none'")
  // The one stylesheet the page has is exactly the one the CSP allows.
  const styleSource = /style-src ('sha256-[A-Za-z0-9+/=]+')(;|$)/.exec(csp)?.[1]
  const style = styleOf(page.body)
  expect(style).toBeDefined()
  expect(styleSource).toBe(`'sha256-${createHash('sha256').update(style!, 'utf8').digest('base64')}'`)
  expect(csp).toContain("form-action 'self'")
  expect(csp).toContain("frame-ancestors 'none'")
  expect(csp).not.toContain('unsafe-inline')
  expect(csp).not.toContain('script-src')
  expect(page.body).not.toMatch(/<script|\son[a-z]+=/i)
}

describe('verify-email page', () => {
  it('follows the mailed link on the tenant host: GET shows a form and uses nothing, POST verifies', async () => {
    const user = await registered('Harbour School')
    expect(user.link).toMatch(new RegExp(`^${origin(user.slug)}/verify-email\\?token=[A-Za-z0-9_-]{43}$`))
    const browser = pageClient()

    const page = await browser.get(user.link)
    expect(page.status).toBe(200)
    expectPageHeaders(page)
    expect(page.body).toContain('<html lang="en">')
    expect(page.body).toContain('<header>Harbour School</header>')
    expect(page.headers['set-cookie']?.[0]).toMatch(
      /^__Host-lyceum_form=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    )
    // A mail scanner prefetching the link twice changes nothing.
    expect((await pageClient().get(user.link)).status).toBe(200)
    expect(await verifiedAt(user.id, user.email)).toBe(false)

    const done = await browser.submit(page)
    expect(done.status).toBe(200)
    expectPageHeaders(done)
    expect(done.body).toContain('Your email address is confirmed')
    expect(await verifiedAt(user.id, user.email)).toBe(true)

    const again = await browser.get(user.link)
    expect(again.status).toBe(400)
    expectPageHeaders(again)
    expect(again.body).toContain('This link does not work')
    expect(again.body).toContain('The verification link is invalid, already used or expired')
  })

  it('refuses a forged CSRF token, a post without the form cookie and one from another site, using nothing', async () => {
    const user = await registered()
    const browser = pageClient()
    const page = await browser.get(user.link)
    const { fields } = formOf(page.body)
    const [issuedAt, mac] = fields.csrf!.split('.')
    const forged = `${issuedAt}.${mac!.slice(0, -4)}${mac!.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`

    const refused = [
      await browser.submit(page, { csrf: forged }),
      await browser.submit(page, { csrf: `${Number(issuedAt) - 7200}.${mac}` }),
      await pageClient().post(`${origin(user.slug)}/verify-email`, fields),
      await browser.submit(page, {}, { origin: 'https://attacker.example' }),
      await browser.submit(page, {}, { 'sec-fetch-site': 'cross-site' }),
    ]
    for (const response of refused) {
      expect(response.status).toBe(403)
      expectPageHeaders(response)
      expect(response.body).toMatch(/form|another site/)
    }
    // A form of another tenant's page does not verify here either.
    const other = await registered()
    const otherPage = await browser.get(other.link)
    const foreign = await browser.post(`${origin(user.slug)}/verify-email`, {
      token: fields.token!,
      csrf: formOf(otherPage.body).fields.csrf!,
    })
    expect(foreign.status).toBe(403)
    expect(await verifiedAt(user.id, user.email)).toBe(false)

    expect((await browser.submit(page)).status).toBe(200)
    expect(await verifiedAt(user.id, user.email)).toBe(true)
  })

  it('answers broken links, unknown tenants and bad forms with human pages, not JSON', async () => {
    const user = await registered()
    const browser = pageClient()
    const bogus = await browser.get(`${origin(user.slug)}/verify-email?token=${'x'.repeat(43)}`)
    expect(bogus.status).toBe(400)
    expectPageHeaders(bogus)
    const incomplete = await browser.get(`${origin(user.slug)}/verify-email`)
    expect(incomplete.status).toBe(400)
    expect(incomplete.body).toContain('The link is incomplete')
    const malformed = await browser.get(`${origin(user.slug)}/verify-email?token=%3Cscript%3E`)
    expect(malformed.status).toBe(400)
    expectPageHeaders(malformed)
    const unknownTenant = await browser.get(`http://no-such-tenant.localhost:${port}/verify-email?token=abc`)
    expect(unknownTenant.status).toBe(404)
    expectPageHeaders(unknownTenant)
    expect(unknownTenant.body).toContain('No tenant is served at no-such-tenant.localhost')
    const bareHost = await browser.get(`http://localhost:${port}/verify-email?token=abc`)
    expect(bareHost.status).toBe(400)
    expectPageHeaders(bareHost)
    const incompleteForm = await browser.post(`${origin(user.slug)}/verify-email`, { csrf: 'x' })
    expect(incompleteForm.status).toBe(400)
    expect(incompleteForm.body).toContain('The form was incomplete or malformed (token)')
    const json = await browser.post(`${origin(user.slug)}/verify-email`, {}, { 'content-type': 'application/json' })
    expect(json.status).toBeGreaterThanOrEqual(400)
    expect(json.headers['content-type']).toContain('text/html')
  })

  it('escapes the tenant name and every value it shows', async () => {
    const user = await registered('<img src=x onerror=alert(1)> & "Co"')
    const page = await pageClient().get(user.link)
    expect(page.body).toContain('<header>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot;</header>')
    expect(page.body).not.toContain('<img')
  })

  it("links to the tenant's own web client when it has one", async () => {
    const tenant = await t.createTenant({ settings: { webAppUrl: 'https://learn.example.org/app/' } })
    const email = uniqueEmail('webapp')
    await accounts().register(tenant.slug, { email, password: STRONG_PASSWORD })
    const mail = await mailTo(email, 'Confirm your email address')
    expect(linkIn(mail.text, '/verify-email')).toMatch(/^https:\/\/learn\.example\.org\/app\/verify-email\?token=/)
  })
})

describe('reset-password page', () => {
  it('resets the password from the mailed link; mistakes re-show the form and keep the link usable', async () => {
    const sessions = sessionsClient(t)
    const tenant = await t.createTenant()
    const email = await sessions.signUp(tenant.slug)
    const before = await sessions.signIn(tenant.slug, email)
    await t.app.inject({
      method: 'POST',
      url: '/v1/auth/password-reset',
      headers: { host: `${tenant.slug}.localhost` },
      payload: { email },
    })
    const link = linkIn((await mailTo(email, 'Reset your password')).text, '/reset-password')
    expect(link.startsWith(`${origin(tenant.slug)}/reset-password?token=`)).toBe(true)
    const browser = pageClient()
    const page = await browser.get(link)
    expect(page.status).toBe(200)
    expectPageHeaders(page)
    expect(page.body).toContain('autocomplete="new-password"')

    const differ = await browser.submit(page, { newPassword: 'amber-lantern-river-9', confirmPassword: 'other' })
    expect(differ.status).toBe(400)
    expect(differ.body).toContain('The two passwords differ')
    const weak = await browser.submit(differ, { newPassword: 'password1234', confirmPassword: 'password1234' })
    expect(weak.status).toBe(400)
    expect(weak.body).toContain('commonly used password')

    const newPassword = 'amber-lantern-river-9'
    const done = await browser.submit(weak, { newPassword, confirmPassword: newPassword })
    expect(done.status).toBe(200)
    expect(done.body).toContain('Your password is changed')
    expect((await sessions.login(tenant.slug, email, newPassword)).statusCode).toBe(200)
    expect((await sessions.login(tenant.slug, email)).statusCode).toBe(401)
    expect((await sessions.refresh(tenant.slug, before.refreshToken)).statusCode).toBe(401)
    expect((await browser.get(link)).status).toBe(400)
  })

  it('opened without a token, asks for the address and mails a reset link', async () => {
    const sessions = sessionsClient(t)
    const tenant = await t.createTenant()
    const email = await sessions.signUp(tenant.slug)
    const browser = pageClient()
    const page = await browser.get(`${origin(tenant.slug)}/reset-password`)
    expect(page.status).toBe(200)
    expect(formOf(page.body).action).toBe('/reset-password/request')
    const sent = await browser.submit(page, { email })
    expect(sent.status).toBe(200)
    expect(sent.body).toContain('Check your email')
    await mailTo(email, 'Reset your password')
  })
})

describe('magic-link page', () => {
  async function magicLink(slug: string, email: string) {
    await t.app.inject({
      method: 'POST',
      url: '/v1/auth/magic-link',
      headers: { host: `${slug}.localhost` },
      payload: { email },
    })
    return linkIn((await mailTo(email, 'Your sign-in link')).text, '/magic-link')
  }

  it('signs the browser in with a session cookie and its CSRF token, and says so', async () => {
    const sessions = sessionsClient(t)
    const tenant = await t.createTenant()
    const email = await sessions.signUp(tenant.slug)
    const link = await magicLink(tenant.slug, email)
    const browser = pageClient()
    // A scanner's prefetch uses nothing.
    expect((await pageClient().get(link)).status).toBe(200)
    const page = await browser.get(link)
    expect(page.status).toBe(200)
    expect(browser.cookie(`${tenant.slug}.localhost:${port}`, '__Host-lyceum_session')).toBeUndefined()

    const done = await browser.submit(page)
    expect(done.status).toBe(200)
    expectPageHeaders(done)
    expect(done.body).toContain('Sign-in succeeded')
    const cookie = done.headers['set-cookie']?.find((c) => c.startsWith('__Host-lyceum_session='))
    expect(cookie).toMatch(/; Path=\/; Max-Age=\d+; HttpOnly; Secure; SameSite=Strict$/)
    const csrfToken = /<meta name="csrf-token" content="([A-Za-z0-9_-]{43})"\s*\/?>/.exec(done.body)?.[1]
    expect(csrfToken).toBeDefined()

    // The browser session works on the JSON API like one from POST /v1/browser-sessions.
    const me = await browser.api('GET', `${origin(tenant.slug)}/v1/me`)
    expect(me.status).toBe(200)
    expect(JSON.parse(me.body)).toMatchObject({ email })
    const logout = await browser.api('DELETE', `${origin(tenant.slug)}/v1/browser-sessions/current`, {
      'x-csrf-token': csrfToken!,
    })
    expect(logout.status).toBe(204)
    expect((await browser.submit(page)).status).toBe(400)
  })

  it('asks an account with TOTP for its code before starting the session', async () => {
    const api = mfaClient(t)
    const user = await api.user()
    const { secret } = (await api.enrol(user.slug, user.accessToken)).json() as { secret: string }
    await awayFromStepEdge()
    expect((await api.confirm(user.slug, user.accessToken, await codeAt(secret, 0))).statusCode).toBe(200)
    const browser = pageClient()
    const challenge = await browser.submit(await browser.get(await magicLink(user.slug, user.email)))
    expect(challenge.status).toBe(200)
    expect(challenge.body).toContain('autocomplete="one-time-code"')
    expect(challenge.headers['set-cookie']?.some((c) => c.startsWith('__Host-lyceum_session='))).toBeFalsy()

    const wrong = await browser.submit(challenge, { code: await wrongCode(secret) })
    expect(wrong.status).toBe(401)
    expect(wrong.body).toContain('The code is wrong')
    await awayFromStepEdge()
    const done = await browser.submit(wrong, { code: await codeAt(secret, 1) })
    expect(done.status).toBe(200)
    expect(done.body).toContain('Sign-in succeeded')
    expect((await browser.api('GET', `${origin(user.slug)}/v1/me`)).status).toBe(200)
  })
})
