/**
 * Server-rendered HTML pages next to the JSON API (the pages email links land on). What every
 * page needs, whatever it shows:
 * - strict headers: a CSP that allows no script at all and only the page's own stylesheet (by
 *   hash), no framing, forms posting to the page's own origin; `Cache-Control: no-store`;
 *   `Referrer-Policy: no-referrer` (email links carry tokens in the URL);
 * - urlencoded form bodies, small and flat, parsed only on the page routes;
 * - CSRF protection for every form: a signed double-submit token (createFormGuard).
 * Routes opt in with `config.htmlPage: true`; they stay out of the OpenAPI document.
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { App } from './app-type.ts'
import { readCookie } from './cookie-auth.ts'
import { AppError } from '../errors.ts'
import type { SafeHtml } from './html.ts'
import { DOCUMENT_HEADERS } from './security-headers.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers HTML to people (errors included), not JSON to programs. */
    htmlPage?: boolean
  }
}

/** `sha256-…` source of a constant stylesheet, for the CSP. */
export const styleHash = (css: string): string =>
  `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`

export function pageHeaders(styleSources: readonly string[]): Record<string, string> {
  return {
    ...DOCUMENT_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': [
      "default-src 'none'",
      `style-src ${styleSources.join(' ')}`,
      "form-action 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  }
}

export function sendPage(reply: FastifyReply, status: number, page: SafeHtml, styleSources: readonly string[]) {
  return reply.status(status).headers(pageHeaders(styleSources)).send(page.value)
}

const FORM_LIMIT_BYTES = 16 * 1024
const FORM_FIELDS = 20

const formInvalid = (detail: string) => new AppError('invalid', 'FORM_INVALID', detail)

/** Parses `application/x-www-form-urlencoded` bodies on the routes of this (encapsulated) plugin only. */
export function acceptForms(app: App): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES },
    (_request, body, done) => {
      const fields: Record<string, string> = {}
      const params = new URLSearchParams(body as string)
      for (const [name, value] of params) {
        if (name in fields) return done(formInvalid(`The form field ${name} was sent twice`), undefined)
        if (name.includes('\u0000') || value.includes('\u0000'))
          return done(formInvalid('The form contains a NUL character'), undefined)
        fields[name] = value
      }
      if (Object.keys(fields).length > FORM_FIELDS) return done(formInvalid('The form has too many fields'), undefined)
      done(null, fields)
    },
  )
}

/** The browser-bound nonce of the double-submit token. `__Host-`: only this host can set it. */
export const FORM_COOKIE = '__Host-lyceum_form'
const NONCE = /^[A-Za-z0-9_-]{43}$/
const TOKEN = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/
/** How long a rendered form stays valid. */
export const FORM_TOKEN_TTL_SECONDS = 3600

/** What a form token is bound to, besides the browser's nonce: the page and its emailed token. */
export interface FormBinding {
  tenantId: string
  /** The page path the form posts to. */
  form: string
  /** The secret the page is about (an emailed token, an MFA challenge), or '' for none. */
  subject: string
}

const csrfRefused = (detail: string) => new AppError('forbidden', 'CSRF_TOKEN_INVALID', detail)

/**
 * Signed double-submit CSRF tokens (OWASP CSRF cheat sheet): the form carries
 * `issuedAt.HMAC(key, nonce | tenant | form | digest(subject) | issuedAt)` and the cookie the
 * nonce. A forged form lacks the key; a form from another page, tenant or link does not verify;
 * a cookie planted by a sibling host is impossible (`__Host-`), and would not match the HMAC.
 * The key is derived from `secret` with HKDF, so it is never the secret itself.
 */
export function createFormGuard(secret: Uint8Array) {
  const key = Buffer.from(hkdfSync('sha256', secret, new Uint8Array(0), 'lyceum hosted-page csrf v1', 32))
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex')
  const mac = (nonce: string, binding: FormBinding, issuedAt: number) =>
    createHmac('sha256', key)
      .update(['v1', nonce, binding.tenantId, binding.form, digest(binding.subject), String(issuedAt)].join('\n'))
      .digest()

  return {
    /** The token for a form; sets the nonce cookie when the browser has none yet. */
    issue(request: FastifyRequest, reply: FastifyReply, binding: FormBinding): string {
      let nonce = readCookie(request.headers.cookie, FORM_COOKIE)
      if (nonce === undefined || !NONCE.test(nonce)) {
        nonce = randomBytes(32).toString('base64url')
        reply.header('set-cookie', `${FORM_COOKIE}=${nonce}; Path=/; HttpOnly; Secure; SameSite=Strict`)
      }
      const issuedAt = Math.floor(Date.now() / 1000)
      return `${issuedAt}.${mac(nonce, binding, issuedAt).toString('base64url')}`
    },

    /** Refuses (403 CSRF_TOKEN_INVALID) a post whose token, cookie or origin is not this page's. */
    verify(request: FastifyRequest, binding: FormBinding, presented: string | undefined): void {
      const origin = request.headers.origin
      if (origin !== undefined && origin !== 'null') {
        let host: string | undefined
        try {
          host = new URL(origin).host
        } catch {
          host = undefined
        }
        if (host !== request.host) throw csrfRefused('This form was sent from another site')
      }
      if (request.headers['sec-fetch-site'] === 'cross-site') throw csrfRefused('This form was sent from another site')
      const nonce = readCookie(request.headers.cookie, FORM_COOKIE)
      if (nonce === undefined || !NONCE.test(nonce))
        throw csrfRefused(
          'Your browser did not send the form cookie: allow cookies for this site and open the link again',
        )
      const match = TOKEN.exec(presented ?? '')
      if (!match) throw csrfRefused('The form is not one this site showed you: open the link again')
      const issuedAt = Number(match[1])
      const age = Math.floor(Date.now() / 1000) - issuedAt
      if (age > FORM_TOKEN_TTL_SECONDS || age < -60) throw csrfRefused('The form has expired: open the link again')
      const expected = mac(nonce, binding, issuedAt)
      const actual = Buffer.from(match[2]!, 'base64url')
      if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
        throw csrfRefused('The form is not one this site showed you: open the link again')
    },
  }
}

export type FormGuard = ReturnType<typeof createFormGuard>
