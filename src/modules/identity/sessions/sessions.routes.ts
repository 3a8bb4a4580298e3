import { Type } from 'typebox'
import { publicAccess, tenantAccess } from '../../../platform/http/access.ts'
import { PageQuery } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import { normaliseEmailField } from '../accounts/email-address.ts'
import type { LoginService } from './login.service.ts'
import {
  LoggedOut,
  LoginBody,
  Me,
  MfaChallengeResponse,
  RefreshBody,
  RestrictedTokenResponse,
  SessionPage,
  SessionParams,
  TokenResponse,
  UpdateMeBody,
} from './sessions.schemas.ts'
import type { SessionsService } from './sessions.service.ts'
import { createSessionPolicyService } from './session-policy.ts'
import { sessionPolicyRoutes } from './session-policy.routes.ts'

const tags = ['identity']
const noStore = { 'cache-control': 'no-store' }

export function sessionsRoutes(login: LoginService, service: SessionsService) {
  return async function routes(app: App) {
    sessionPolicyRoutes(app, createSessionPolicyService())
    app.post(
      '/v1/auth/login',
      {
        schema: {
          summary: 'Sign in with email and password',
          description:
            "Starts a session in the tenant of this host. Unknown email, wrong password, disabled and locked account all answer the same 401 INVALID_CREDENTIALS, so no answer tells whether an address has an account; 5 consecutive failures lock the account for a minute, doubling per further failure up to an hour, and the 100th until a password reset (even the right password answers 401 meanwhile; the owner is emailed once per lockout). Separately, 10 failures from one client address within 15 minutes hold that address back (429 LOGIN_THROTTLED with Retry-After, doubling per further failure). With two-factor on, answers { mfaRequired, mfaToken } for POST /v1/auth/mfa instead of tokens. When the tenant requires two-factor for one of the user's roles and they have none, answers a restricted access token without refresh token and mfaEnrolmentRequired: true.",
          tags,
          operationId: 'login',
          body: LoginBody,
          response: { 200: Type.Union([TokenResponse, MfaChallengeResponse, RestrictedTokenResponse]) },
        },
        config: { access: publicAccess('required'), rateLimit: 'auth' },
        preValidation: normaliseEmailField,
      },
      async (request, reply) => {
        const tokens = await login.login(request.ctx, { ...request.body, userAgent: request.headers['user-agent'] })
        return reply.headers(noStore).send(tokens)
      },
    )

    app.post(
      '/v1/auth/refresh',
      {
        schema: {
          summary: 'Exchange a refresh token for new tokens',
          description:
            "Rotates the refresh token. Presenting one that was already used ends its whole session (401 REFRESH_TOKEN_REUSED). When the tenant now requires two-factor for one of the user's roles and they have none, answers a restricted access token and no successor (mfaEnrolmentRequired: true).",
          tags,
          operationId: 'refreshTokens',
          body: RefreshBody,
          response: { 200: Type.Union([TokenResponse, RestrictedTokenResponse]) },
        },
        config: { access: publicAccess('optional'), rateLimit: 'auth' },
      },
      async (request, reply) =>
        reply.headers(noStore).send(await service.refresh(request.ctx, request.body.refreshToken)),
    )

    app.post(
      '/v1/auth/logout',
      {
        schema: {
          summary: 'End the session of this token',
          tags,
          operationId: 'logout',
          response: { 204: Type.Null({ description: 'Signed out' }) },
        },
        config: { access: tenantAccess(), allowRestricted: true },
      },
      async (request, reply) => {
        await service.logout(request.ctx)
        return reply.status(204).send(null)
      },
    )

    app.post(
      '/v1/auth/logout-all',
      {
        schema: {
          summary: 'End every session of the signed-in user',
          description:
            'Answers how many sessions ended (this one included), so a client can say "signed out on 3 devices"; the access tokens of those sessions stop working at once.',
          tags,
          operationId: 'logoutAll',
          response: { 200: LoggedOut },
        },
        config: { access: tenantAccess(), privileged: true },
      },
      async (request) => ({ revokedSessions: await service.logoutAll(request.ctx) }),
    )

    app.get(
      '/v1/me',
      {
        schema: { summary: 'The signed-in user', tags, operationId: 'getMe', response: { 200: Me } },
        config: { access: tenantAccess(), allowRestricted: true },
      },
      async (request) => service.me(request.ctx),
    )

    app.patch(
      '/v1/me',
      {
        schema: {
          summary: 'Update your profile (display name, time zone)',
          description:
            'Sets the name shown to others and printed on certificates issued from now on (without one, certificates show a masked form of the email address), and/or your IANA time zone (null: UTC), in which daily streaks count days. An unknown zone is 400 TIME_ZONE_UNKNOWN.',
          tags,
          operationId: 'updateMe',
          body: UpdateMeBody,
          response: { 200: Me },
        },
        config: { access: tenantAccess() },
      },
      async (request) => service.updateMe(request.ctx, request.body),
    )

    app.get(
      '/v1/me/sessions',
      {
        schema: {
          summary: 'List your live sessions',
          tags,
          operationId: 'listMySessions',
          querystring: PageQuery,
          response: { 200: SessionPage },
        },
        config: { access: tenantAccess() },
      },
      async (request) => service.listSessions(request.ctx, request.query),
    )

    app.delete(
      '/v1/me/sessions/:sessionId',
      {
        schema: {
          summary: 'End one of your sessions',
          tags,
          operationId: 'revokeMySession',
          params: SessionParams,
          response: { 204: Type.Null({ description: 'Ended' }) },
        },
        config: { access: tenantAccess(), privileged: true },
      },
      async (request, reply) => {
        await service.revokeSession(request.ctx, request.params.sessionId)
        return reply.status(204).send(null)
      },
    )
  }
}
