import { Type } from 'typebox'
import { publicAccess, tenantAccess } from '../../../platform/http/access.ts'
import type { App } from '../../../platform/http/server.ts'
import { TokenResponse } from '../sessions/sessions.schemas.ts'
import {
  CodeBody,
  DisableTotpBody,
  MfaStatus,
  ReauthenticationBody,
  RecoveryCodes,
  RegeneratedRecoveryCodes,
  SecondStepBody,
  TotpEnrolment,
} from './mfa.schemas.ts'
import type { MfaService } from './mfa.service.ts'
import type { MfaAdminService } from './mfa-admin.service.ts'
import { MemberFactorParams, MfaRequirements, MfaRequirementsBody } from './mfa-admin.schemas.ts'

const tags = ['identity']
const noStore = { 'cache-control': 'no-store' }

const REAUTH =
  'Needs re-authentication: `password` (your current password) in the body, which may be left out within 5 minutes of signing in; otherwise 403 REAUTHENTICATION_REQUIRED (a wrong password also counts toward the account lockout, 429 ACCOUNT_LOCKED while locked). Refused while impersonating. The change is emailed to you and audited.'

const ADMIN_RULES =
  'Not on your own factor (403 MFA_SELF_ADMINISTRATION); refused while impersonating (403 IMPERSONATION_FORBIDDEN); 409 MFA_NOT_ENABLED when the member has no factor. Audited.'

/** The tenant administrator's routes: the policy and help for members with a locked or lost factor. */
function adminRoutes(app: App, admin: MfaAdminService) {
  app.get(
    '/v1/security/mfa-requirements',
    {
      schema: {
        summary: 'Roles that require two-factor authentication',
        tags,
        operationId: 'getMfaRequirements',
        response: { 200: MfaRequirements },
      },
      config: { access: tenantAccess('security:manage') },
    },
    async (request) => admin.requirements(request.ctx),
  )

  app.put(
    '/v1/security/mfa-requirements',
    {
      schema: {
        summary: 'Set the roles that require two-factor authentication',
        description:
          'Replaces the set. From their next request (and at sign-in and refresh), members holding such a role without a confirmed TOTP factor only get a restricted token that reaches /v1/me, logout and TOTP enrolment; everything else answers 403 MFA_ENROLMENT_REQUIRED. Refused while impersonating. Audited.',
        tags,
        operationId: 'setMfaRequirements',
        body: MfaRequirementsBody,
        response: { 200: MfaRequirements },
      },
      config: { access: tenantAccess('security:manage'), privileged: true },
    },
    async (request) => admin.setRequirements(request.ctx, request.body.roles),
  )

  app.post(
    '/v1/members/:userId/mfa/unlock',
    {
      schema: {
        summary: "Unlock a member's TOTP factor",
        description: `Lifts the lock after 20 consecutive wrong codes and clears the failure counters. ${ADMIN_RULES}`,
        tags,
        operationId: 'unlockMemberMfa',
        params: MemberFactorParams,
        response: { 204: Type.Null({ description: 'Unlocked' }) },
      },
      config: { access: tenantAccess('security:manage'), privileged: true },
    },
    async (request, reply) => {
      await admin.unlock(request.ctx, request.params.userId)
      return reply.status(204).send(null)
    },
  )

  app.delete(
    '/v1/members/:userId/mfa',
    {
      schema: {
        summary: "Reset a member's two-factor authentication",
        description: `Removes the member's TOTP factor and recovery codes and ends every session of theirs, so they sign in again and enrol anew. ${ADMIN_RULES}`,
        tags,
        operationId: 'resetMemberMfa',
        params: MemberFactorParams,
        response: { 204: Type.Null({ description: 'Reset' }) },
      },
      config: { access: tenantAccess('security:manage'), privileged: true },
    },
    async (request, reply) => {
      await admin.reset(request.ctx, request.params.userId)
      return reply.status(204).send(null)
    },
  )
}

/** The signed-in user's own factor: enrol, confirm, turn off. */
function ownFactorRoutes(app: App, service: MfaService) {
  app.post(
    '/v1/me/mfa/totp',
    {
      schema: {
        summary: 'Start TOTP enrolment',
        description: `Creates an authenticator secret (replacing one not yet confirmed) and returns it once. 409 MFA_ALREADY_ENABLED when a confirmed one exists (turn it off first to replace it). The body may be empty or absent within 5 minutes of signing in. ${REAUTH}`,
        tags,
        operationId: 'enrolTotp',
        body: ReauthenticationBody,
        response: { 201: TotpEnrolment },
      },
      // Reachable with the restricted token of a user the tenant's policy requires to enrol.
      config: { access: tenantAccess(), privileged: true, allowRestricted: true },
      // An absent body is an empty one: clients that enrol right after signing in send none.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {}
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .headers(noStore)
        .send(await service.enrol(request.ctx, { password: request.body.password })),
  )

  app.post(
    '/v1/me/mfa/totp/confirm',
    {
      schema: {
        summary: 'Confirm TOTP enrolment with a first code',
        description:
          'Turns two-factor sign-in on and returns ten single-use recovery codes once. Wrong codes are throttled like sign-in codes. Called with a restricted token (mfaEnrolmentRequired), the answer also carries `tokens`: a full session that replaces the restricted one, so the client need not sign in again.',
        tags,
        operationId: 'confirmTotp',
        body: CodeBody,
        response: { 200: RecoveryCodes },
      },
      config: { access: tenantAccess(), privileged: true, allowRestricted: true },
    },
    async (request, reply) =>
      reply
        .headers(noStore)
        .send(
          await service.confirm(request.ctx, { code: request.body.code, userAgent: request.headers['user-agent'] }),
        ),
  )

  app.delete(
    '/v1/me/mfa/totp',
    {
      schema: {
        summary: 'Turn TOTP off',
        description: `Requires a current code; removes the authenticator and the recovery codes. 409 MFA_REQUIRED_BY_POLICY when the tenant requires it for one of the user's roles. ${REAUTH}`,
        tags,
        operationId: 'disableTotp',
        body: DisableTotpBody,
        response: { 204: Type.Null({ description: 'Turned off' }) },
      },
      config: { access: tenantAccess(), privileged: true },
    },
    async (request, reply) => {
      await service.disable(request.ctx, request.body)
      return reply.status(204).send(null)
    },
  )
}

/** The signed-in user's two-factor status and recovery codes. */
function recoveryCodeRoutes(app: App, service: MfaService) {
  app.get(
    '/v1/me/mfa',
    {
      schema: {
        summary: 'Your two-factor status',
        description: 'Whether TOTP is on, and how many recovery codes are left.',
        tags,
        operationId: 'getMfaStatus',
        response: { 200: MfaStatus },
      },
      config: { access: tenantAccess(), allowRestricted: true },
    },
    async (request) => service.status(request.ctx),
  )

  app.post(
    '/v1/me/mfa/recovery-codes',
    {
      schema: {
        summary: 'Generate new recovery codes',
        description: `Replaces your recovery codes with ten new ones, shown once; the previous ones stop working. 409 MFA_NOT_ENABLED without a confirmed factor. ${REAUTH}`,
        tags,
        operationId: 'regenerateRecoveryCodes',
        body: ReauthenticationBody,
        response: { 200: RegeneratedRecoveryCodes },
      },
      config: { access: tenantAccess(), privileged: true },
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {}
      },
    },
    async (request, reply) =>
      reply
        .headers(noStore)
        .send(await service.regenerateRecoveryCodes(request.ctx, { password: request.body.password })),
  )
}

export function mfaRoutes(service: MfaService, admin: MfaAdminService) {
  return async function routes(app: App) {
    adminRoutes(app, admin)
    ownFactorRoutes(app, service)
    recoveryCodeRoutes(app, service)
    app.post(
      '/v1/auth/mfa',
      {
        schema: {
          summary: 'Second sign-in step: a TOTP or recovery code',
          description:
            "Exchanges the mfaToken from the password step and one code (or recovery code) for tokens. The token names its tenant, so like POST /v1/auth/refresh this needs no tenant host; on another tenant's host it answers 401 MFA_CHALLENGE_INVALID. 5 failures per 15 minutes, then 429 MFA_THROTTLED; 20 in a row lock (429 MFA_LOCKED).",
          tags,
          operationId: 'completeMfaLogin',
          body: SecondStepBody,
          response: { 200: TokenResponse },
        },
        config: { access: publicAccess('optional'), rateLimit: 'auth' },
      },
      async (request, reply) =>
        reply
          .headers(noStore)
          .send(
            await service.completeLogin(request.ctx, { ...request.body, userAgent: request.headers['user-agent'] }),
          ),
    )
  }
}
