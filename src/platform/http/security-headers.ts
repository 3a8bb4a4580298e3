/**
 * Security headers on every answer. They are static, so they are computed once at start-up and
 * copied onto each reply by one synchronous hook: @fastify/helmet rebuilt its middleware for every
 * request (about 4 % of a trivial request's CPU, docs/benchmarks.md). The set and the values are
 * helmet 8's defaults with our Content-Security-Policy and Cross-Origin-Resource-Policy, as served
 * before; security-headers.test.ts pins them. Pages with their own policy (the /docs pages through
 * swagger-ui's transformStaticCSP, the hosted HTML pages) replace the CSP after this hook runs.
 */
import type { App } from './app-type.ts'

/** API responses are JSON: nothing but the origin's own resources, and never framed. */
const CSP_DIRECTIVES: readonly (readonly [string, string])[] = [
  ['default-src', "'self'"],
  ['base-uri', "'self'"],
  ['font-src', "'self' https: data:"],
  ['form-action', "'self'"],
  ['frame-ancestors', "'none'"],
  ['img-src', "'self' data:"],
  ['object-src', "'none'"],
  ['script-src', "'self'"],
  ['script-src-attr', "'none'"],
  ['style-src', "'self' 'unsafe-inline'"],
  ['upgrade-insecure-requests', ''],
  ['connect-src', "'self'"],
]

export const CONTENT_SECURITY_POLICY = CSP_DIRECTIVES.map(([name, value]) => (value ? `${name} ${value}` : name)).join(
  ';',
)

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-site',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
})

const ENTRIES = Object.entries(SECURITY_HEADERS)

/** First among the server's onRequest hooks, so shed (503) and refused answers carry them too. */
export function registerSecurityHeaders(app: App): void {
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of ENTRIES) reply.header(name, value)
    done()
  })
}
