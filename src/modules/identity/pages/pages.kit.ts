/**
 * What every hosted-page route uses: rendering a view in the layout with the page headers, the
 * CSRF form tokens bound to this tenant and page, the browser-session cookie after a sign-in, the
 * "fix it on the same form" path for retryable failures, and the route options and form schemas.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type, type TSchema } from 'typebox'
import { isAppError } from '../../../platform/errors.ts'
import { publicAccess } from '../../../platform/http/access.ts'
import { sessionCookie } from '../../../platform/http/cookie-auth.ts'
import { sendPage, type FormBinding, type FormGuard } from '../../../platform/http/html-page.ts'
import type { TenantSite } from '../../tenancy/index.ts'
import type { BrowserSession } from '../sessions/browser-sessions.service.ts'
import { layout, PAGE_STYLE_SOURCES } from './pages.layout.ts'
import type { PagesService } from './pages.service.ts'
import type { View } from './pages.views.ts'

export const Token = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })
/** The second-step challenge names its tenant: `mfa1.<tenant>.<random>` (mfa/mfa-tokens.ts). */
export const ChallengeToken = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._-]+$' })
export const Password = Type.String({ maxLength: 1024 })
export const Email = Type.String({ format: 'email', maxLength: 254 })
export const Code = Type.String({ maxLength: 64 })
export const LinkQuery = Type.Object({ token: Type.Optional(Token) }, { additionalProperties: false })
export const formBody = (fields: Record<string, TSchema>) =>
  Type.Object({ csrf: Type.String({ maxLength: 128 }), ...fields }, { additionalProperties: false })

/** Codes a person fixes on the same form (a weak password, a typo in a code), rather than an error page. */
const RETRYABLE = new Set([
  'PASSWORD_POLICY_VIOLATION',
  'MFA_CODE_INVALID',
  'MFA_PROOF_REQUIRED',
  'INVALID_CREDENTIALS',
])

/** Hidden from the OpenAPI document, public on a tenant host, answering HTML (ADR 0011). */
export const routeOptions = (method: 'GET' | 'POST', schema: Record<string, TSchema>) => ({
  schema: { ...schema, hide: true },
  config: {
    access: publicAccess('required'),
    htmlPage: true,
    // Using a link or a password is an authentication attempt, with its budget.
    ...(method === 'POST' ? { rateLimit: 'auth' as const } : {}),
  },
})

export function createPageKit(service: PagesService, guard: FormGuard) {
  const render = (reply: FastifyReply, site: TenantSite, status: number, view: View) =>
    sendPage(
      reply,
      status,
      layout(
        {
          tenantName: site.name,
          lang: site.defaultLocale,
          title: view.title,
          ...(view.csrfToken ? { csrfToken: view.csrfToken } : {}),
        },
        view.body,
      ),
      PAGE_STYLE_SOURCES,
    )

  const bind = (request: FastifyRequest, form: string, subject = ''): FormBinding => ({
    tenantId: request.ctx.tenantId ?? '',
    form,
    subject,
  })

  return {
    service,
    render,
    /** A CSRF token for the form posting to `form` about `subject` (an emailed token, an MFA challenge). */
    issue: (request: FastifyRequest, reply: FastifyReply, form: string, subject = '') =>
      guard.issue(request, reply, bind(request, form, subject)),
    /** Refuses (403) a post whose CSRF token is not one this page issued to this browser. */
    verify: (request: FastifyRequest, form: string, subject: string, presented: string) =>
      guard.verify(request, bind(request, form, subject), presented),
    /** Sets the browser-session cookie; the page then says sign-in succeeded. */
    signedIn: (reply: FastifyReply, session: BrowserSession) =>
      reply.header('set-cookie', sessionCookie(session.cookie, session.maxAgeSeconds)),
    /** Runs `work`; a retryable failure renders `retry(message)` with its status instead of an error page. */
    async orRetry(
      reply: FastifyReply,
      site: TenantSite,
      work: () => Promise<unknown>,
      retry: (message: string) => View | Promise<View>,
    ): Promise<unknown> {
      try {
        return await work()
      } catch (error) {
        if (!isAppError(error) || !RETRYABLE.has(error.code)) throw error
        return render(reply, site, error.status, await retry(error.message))
      }
    },
  }
}

export type PageKit = ReturnType<typeof createPageKit>
