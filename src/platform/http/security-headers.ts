/**
 * Security headers. They are static, so they are computed once at start-up and copied onto each
 * reply by one synchronous hook (with the request id, which every answer carries too).
 *
 * JSON answers get the set OWASP's REST Security Cheat Sheet names for APIs: a policy that loads
 * nothing and is never framed, HSTS, nosniff, no framing, no referrer, and a resource policy that
 * keeps other sites from embedding responses. The rest of helmet's set only acts on documents a
 * browser renders (opener isolation, origin-keyed agent clusters, DNS prefetch, IE8's download
 * prompt, Flash/PDF cross-domain policies, the XSS auditor), so it is sent with HTML only:
 * the hosted pages (html-page.ts) and the /docs pages (server.ts) add DOCUMENT_HEADERS. Every
 * header costs each answer its validation and bytes: the trivial authenticated route spent about
 * a tenth of its CPU on the twelve fields it used to carry (docs/benchmarks.md).
 */
import type { App } from './app-type.ts'

/** API responses are JSON: they load nothing and are never framed. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': API_CONTENT_SECURITY_POLICY,
  'cross-origin-resource-policy': 'same-site',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
})

/** What a rendered HTML document needs beyond SECURITY_HEADERS (helmet 8's defaults). */
export const DOCUMENT_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cross-origin-opener-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
})

const ENTRIES = Object.entries(SECURITY_HEADERS)

/**
 * First among the server's onRequest hooks, so shed (503) and refused answers carry them too.
 * Pages with their own policy (the hosted HTML pages, swagger-ui's transformStaticCSP on /docs)
 * replace the CSP and the framing rule after this hook runs.
 */
export function registerSecurityHeaders(app: App): void {
  app.addHook('onRequest', (request, reply, done) => {
    for (const [name, value] of ENTRIES) reply.header(name, value)
    reply.header('x-request-id', request.id)
    done()
  })
}
