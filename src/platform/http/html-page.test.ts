/**
 * The pieces every server-rendered page relies on, without an app: escaping, the page headers,
 * the signed double-submit CSRF token and the form parser.
 */
import { randomBytes } from 'node:crypto'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import { describe, expect, it } from 'vitest'
import type { App } from './app-type.ts'
import { acceptForms, createFormGuard, FORM_COOKIE, pageHeaders, styleHash } from './html-page.ts'
import { html, raw } from './html.ts'

function exchange(cookie?: string, headers: Record<string, string> = {}) {
  const set: string[] = []
  const request = {
    headers: { ...(cookie ? { cookie } : {}), ...headers },
    host: 'acme.lyceum.test',
  } as unknown as FastifyRequest
  const reply = { header: (_name: string, value: string) => set.push(value) } as unknown as FastifyReply
  return { request, reply, set }
}

const binding = { tenantId: 't1', form: '/verify-email', subject: 'emailed-token' }

describe('html', () => {
  it('escapes every interpolated value, and only trusted markup passes as is', () => {
    const name = `<script>alert("x")</script>&'`
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>',
    )
    expect(html`<div>${html`<b>${'a<b'}</b>`}${raw('<hr>')}${[1, null, false, 'x']}</div>`.value).toBe(
      '<div><b>a&lt;b</b><hr>1x</div>',
    )
  })

  it('sends no script source and only the hashed stylesheet in the CSP', () => {
    const headers = pageHeaders([styleHash('body{margin:0}')])
    expect(headers['content-security-policy']).toBe(
      "default-src 'none'; style-src 'sha256-IAdwN3biDCQ3brrgp1m8kBEsPQYyqfREKOEfeoREopc='; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    expect(headers).toMatchObject({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' })
  })
})

describe('form guard (signed double-submit CSRF token)', () => {
  const guard = createFormGuard(new Uint8Array(randomBytes(32)))

  it('issues a nonce cookie once and accepts the token with that cookie only', () => {
    const first = exchange()
    const token = guard.issue(first.request, first.reply, binding)
    expect(first.set).toHaveLength(1)
    const cookie = first.set[0]!.split(';')[0]!
    expect(cookie.startsWith(`${FORM_COOKIE}=`)).toBe(true)
    // A browser that already has the cookie keeps it (two tabs stay valid).
    const second = exchange(cookie)
    guard.issue(second.request, second.reply, binding)
    expect(second.set).toHaveLength(0)

    expect(() => guard.verify(exchange(cookie).request, binding, token)).not.toThrow()
    const otherBrowser = `${FORM_COOKIE}=${randomBytes(32).toString('base64url')}`
    expect(() => guard.verify(exchange(otherBrowser).request, binding, token)).toThrow(/not one this site showed/)
    expect(() => guard.verify(exchange().request, binding, token)).toThrow(/did not send the form cookie/)
  })

  it('binds the token to the tenant, the page and the emailed token', () => {
    const { request, reply, set } = exchange()
    const token = guard.issue(request, reply, binding)
    const cookie = set[0]!.split(';')[0]!
    for (const other of [
      { ...binding, tenantId: 't2' },
      { ...binding, form: '/magic-link' },
      { ...binding, subject: 'another-token' },
    ])
      expect(() => guard.verify(exchange(cookie).request, other, token)).toThrow(
        expect.objectContaining({ code: 'CSRF_TOKEN_INVALID', status: 403 }),
      )
    const key = createFormGuard(new Uint8Array(randomBytes(32)))
    expect(() => key.verify(exchange(cookie).request, binding, token)).toThrow(/not one this site showed/)
  })

  it('refuses old tokens and posts from another origin', () => {
    const { request, reply, set } = exchange()
    const token = guard.issue(request, reply, binding)
    const cookie = set[0]!.split(';')[0]!
    const [, mac] = token.split('.')
    const old = `${Math.floor(Date.now() / 1000) - 3601}.${mac}`
    expect(() => guard.verify(exchange(cookie).request, binding, old)).toThrow(/expired/)
    expect(() => guard.verify(exchange(cookie, { origin: 'https://evil.test' }).request, binding, token)).toThrow(
      /another site/,
    )
    expect(() =>
      guard.verify(exchange(cookie, { origin: 'https://acme.lyceum.test' }).request, binding, token),
    ).not.toThrow()
  })
})

describe('form bodies', () => {
  async function formApp() {
    const app = Fastify() as unknown as App
    await app.register(async (scope: App) => {
      acceptForms(scope)
      scope.post('/form', async (request) => request.body)
    })
    return app
  }
  const post = (app: App, payload: string) =>
    app.inject({
      method: 'POST',
      url: '/form',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload,
    })

  it('parses flat fields and refuses repeated fields, NUL characters and oversized bodies', async () => {
    const app = await formApp()
    try {
      expect((await post(app, 'a=1&b=x%20y')).json()).toEqual({ a: '1', b: 'x y' })
      expect((await post(app, 'a=1&a=2')).statusCode).toBe(400)
      expect((await post(app, 'a=x%00y')).statusCode).toBe(400)
      expect((await post(app, `a=${'x'.repeat(20_000)}`)).statusCode).toBe(413)
    } finally {
      await app.close()
    }
  })
})
