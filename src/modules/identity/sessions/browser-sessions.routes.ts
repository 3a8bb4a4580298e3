import { Type } from 'typebox'
import { clearedSessionCookie, sessionCookie } from '../../../platform/http/cookie-auth.ts'
import { publicAccess, tenantAccess } from '../../../platform/http/access.ts'
import type { App } from '../../../platform/http/server.ts'
import { normaliseEmailField } from '../accounts/email-address.ts'
import {
  BrowserLoginBody,
  BrowserMfaChallenge,
  BrowserSecondStepBody,
  BrowserSessionCreated,
} from './browser-sessions.schemas.ts'
import type { BrowserSession, BrowserSessionsService } from './browser-sessions.service.ts'
import type { MfaChallenge } from './login.service.ts'

const tags = ['identity']
const noStore = { 'cache-control': 'no-store' }
const COOKIE_NOTE =
  'On success the session cookie `__Host-lyceum_session` is set (HttpOnly, Secure, SameSite=Strict, Path=/, Max-Age = session lifetime) and the body carries the CSRF token for X-CSRF-Token. Requests with an Authorization header ignore the cookie.'

const isChallenge = (outcome: BrowserSession | MfaChallenge): outcome is MfaChallenge => 'mfaRequired' in outcome

/** The cookie goes into Set-Cookie only; the body never carries it. */
function started(session: BrowserSession) {
  const { cookie, maxAgeSeconds, ...body } = session
  return { setCookie: sessionCookie(cookie, maxAgeSeconds), body }
}

export function browserSessionsRoutes(service: BrowserSessionsService) {
  return async function routes(app: App) {
    app.post(
      '/v1/browser-sessions',
      {
        schema: {
          summary: 'Sign in a browser with email and password (session cookie)',
          description: `The browser counterpart of POST /v1/auth/login, with the same answers for bad credentials, lockout and throttling (401 INVALID_CREDENTIALS, for a locked account too; 429 LOGIN_THROTTLED). With two-factor on, answers { mfaRequired, mfaToken } for POST /v1/browser-sessions/mfa. ${COOKIE_NOTE}`,
          tags,
          operationId: 'createBrowserSession',
          body: BrowserLoginBody,
          response: { 200: Type.Union([BrowserSessionCreated, BrowserMfaChallenge]) },
        },
        config: { access: publicAccess('required'), rateLimit: 'auth' },
        preValidation: normaliseEmailField,
      },
      async (request, reply) => {
        const outcome = await service.signIn(request.ctx, { ...request.body, userAgent: request.headers['user-agent'] })
        if (isChallenge(outcome)) return reply.headers(noStore).send(outcome)
        const { setCookie, body } = started(outcome)
        return reply.headers(noStore).header('set-cookie', setCookie).send(body)
      },
    )

    app.post(
      '/v1/browser-sessions/mfa',
      {
        schema: {
          summary: 'Second browser sign-in step: a TOTP or recovery code',
          description: `Exchanges the mfaToken and one code (or recovery code) for a browser session, throttled like POST /v1/auth/mfa (429 MFA_THROTTLED, 429 MFA_LOCKED). ${COOKIE_NOTE}`,
          tags,
          operationId: 'completeBrowserSessionMfa',
          body: BrowserSecondStepBody,
          response: { 200: BrowserSessionCreated },
        },
        config: { access: publicAccess('required'), rateLimit: 'auth' },
      },
      async (request, reply) => {
        const { setCookie, body } = started(
          await service.completeSecondStep(request.ctx, { ...request.body, userAgent: request.headers['user-agent'] }),
        )
        return reply.headers(noStore).header('set-cookie', setCookie).send(body)
      },
    )

    app.delete(
      '/v1/browser-sessions/current',
      {
        schema: {
          summary: 'Sign the browser out',
          description:
            'Ends the session of the cookie (like any session) and clears the cookie. Needs X-CSRF-Token like every unsafe cookie request; 400 BROWSER_SESSION_REQUIRED with a bearer token.',
          tags,
          operationId: 'deleteCurrentBrowserSession',
          response: { 204: Type.Null({ description: 'Signed out; the cookie is cleared (Max-Age=0)' }) },
        },
        // Allowed while restricted by the MFA policy: signing out must always work.
        config: { access: tenantAccess(), allowRestricted: true },
      },
      async (request, reply) => {
        await service.logout(request.ctx)
        return reply.status(204).header('set-cookie', clearedSessionCookie()).send(null)
      },
    )
  }
}
