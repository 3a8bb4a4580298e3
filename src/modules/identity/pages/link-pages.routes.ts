/**
 * The pages of the account links: `/verify-email`, `/reset-password` and `/magic-link` (and, when
 * opened without a token, the forms that mail one), plus the TOTP step after a link or a password.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { App } from '../../../platform/http/server.ts'
import type { TenantSite } from '../../tenancy/index.ts'
import { accountsErrors } from '../accounts/accounts.errors.ts'
import { recoveryErrors } from '../recovery/recovery.errors.ts'
import { PAGE_PATHS } from './page-links.ts'
import {
  ChallengeToken,
  Code,
  Email,
  formBody,
  LinkQuery,
  Password,
  routeOptions,
  Token,
  type PageKit,
} from './pages.kit.ts'
import { en as t } from './pages.messages.ts'
import { isChallenge } from './pages.service.ts'
import { views } from './pages.views.ts'

export function verifyRoutes(app: App, kit: PageKit): void {
  const { service, render } = kit
  const path = PAGE_PATHS.verifyEmail
  app.get(path, routeOptions('GET', { querystring: LinkQuery }), async (request, reply) => {
    const site = await service.site(request.ctx)
    const { token } = request.query as { token?: string }
    if (token === undefined)
      return render(reply, site, 400, views.error(t.errors.invalidLinkTitle, t.errors.missingToken))
    if (!(await service.linkUsable(request.ctx, 'verify_email', token))) throw accountsErrors.verificationTokenInvalid()
    return render(reply, site, 200, views.verifyForm(site, token, kit.issue(request, reply, path, token)))
  })

  app.post(path, routeOptions('POST', { body: formBody({ token: Token }) }), async (request, reply) => {
    const body = request.body as { token: string; csrf: string }
    kit.verify(request, path, body.token, body.csrf)
    await service.verifyEmail(request.ctx, body.token)
    const site = await service.site(request.ctx)
    return render(reply, site, 200, views.verified(site))
  })
}

/** The email form of a page opened without a token, and its POST: forgot password, sign in by link. */
function requestRoutes(app: App, kit: PageKit, kind: 'reset' | 'magic') {
  const { service, render } = kit
  const action = `${kind === 'reset' ? PAGE_PATHS.resetPassword : PAGE_PATHS.magicLink}/request`
  app.post(action, routeOptions('POST', { body: formBody({ email: Email }) }), async (request, reply) => {
    const body = request.body as { email: string; csrf: string }
    kit.verify(request, action, '', body.csrf)
    if (kind === 'reset') await service.requestPasswordReset(request.ctx, body.email)
    else await service.requestMagicLink(request.ctx, body.email)
    return render(reply, await service.site(request.ctx), 200, views.requestSent())
  })
  return (request: FastifyRequest, reply: FastifyReply, site: TenantSite) =>
    render(reply, site, 200, views.requestForm(kind, kit.issue(request, reply, action)))
}

export function resetRoutes(app: App, kit: PageKit): void {
  const { service, render } = kit
  const path = PAGE_PATHS.resetPassword
  const requestForm = requestRoutes(app, kit, 'reset')
  app.get(path, routeOptions('GET', { querystring: LinkQuery }), async (request, reply) => {
    const site = await service.site(request.ctx)
    const { token } = request.query as { token?: string }
    if (token === undefined) return requestForm(request, reply, site)
    if (!(await service.linkUsable(request.ctx, 'reset_password', token))) throw recoveryErrors.resetTokenInvalid()
    return render(reply, site, 200, views.resetForm(token, kit.issue(request, reply, path, token)))
  })

  const body = formBody({ token: Token, newPassword: Password, confirmPassword: Password })
  app.post(path, routeOptions('POST', { body }), async (request, reply) => {
    const form = request.body as { token: string; newPassword: string; confirmPassword: string; csrf: string }
    kit.verify(request, path, form.token, form.csrf)
    const site = await service.site(request.ctx)
    const again = (message: string) => views.resetForm(form.token, kit.issue(request, reply, path, form.token), message)
    if (form.newPassword !== form.confirmPassword) return render(reply, site, 400, again(t.errors.passwordsDiffer))
    return kit.orRetry(
      reply,
      site,
      async () => {
        await service.resetPassword(request.ctx, form.token, form.newPassword)
        return render(reply, site, 200, views.resetDone(site))
      },
      again,
    )
  })
}

export function magicLinkRoutes(app: App, kit: PageKit): void {
  const { service, render } = kit
  const path = PAGE_PATHS.magicLink
  const mfaAction = `${path}/mfa`
  const requestForm = requestRoutes(app, kit, 'magic')
  app.get(path, routeOptions('GET', { querystring: LinkQuery }), async (request, reply) => {
    const site = await service.site(request.ctx)
    const { token } = request.query as { token?: string }
    if (token === undefined) return requestForm(request, reply, site)
    if (!(await service.linkUsable(request.ctx, 'magic_link', token))) throw recoveryErrors.magicLinkInvalid()
    return render(reply, site, 200, views.magicForm(site, token, kit.issue(request, reply, path, token)))
  })

  app.post(path, routeOptions('POST', { body: formBody({ token: Token }) }), async (request, reply) => {
    const body = request.body as { token: string; csrf: string }
    kit.verify(request, path, body.token, body.csrf)
    const outcome = await service.signInByLink(request.ctx, body.token, request.headers['user-agent'])
    const site = await service.site(request.ctx)
    if (isChallenge(outcome)) {
      const csrf = kit.issue(request, reply, mfaAction, outcome.mfaToken)
      return render(reply, site, 200, views.mfaForm(mfaAction, { mfaToken: outcome.mfaToken }, csrf))
    }
    kit.signedIn(reply, outcome)
    return render(reply, site, 200, views.signedIn(site, outcome))
  })

  secondStepRoute(app, kit, mfaAction, false)
}

/** The TOTP step after a link or a password, for an account with a second factor (with an invitation: accepting it). */
export function secondStepRoute(app: App, kit: PageKit, action: string, withInvitation: boolean): void {
  const { service, render } = kit
  const fields = { mfaToken: ChallengeToken, code: Type.Optional(Code), recoveryCode: Type.Optional(Code) }
  const schema = formBody(withInvitation ? { ...fields, token: Token } : fields)
  app.post(action, routeOptions('POST', { body: schema }), async (request, reply) => {
    const body = request.body as {
      mfaToken: string
      code?: string
      recoveryCode?: string
      token?: string
      csrf: string
    }
    kit.verify(request, action, body.mfaToken, body.csrf)
    const site = await service.site(request.ctx)
    const hidden = { mfaToken: body.mfaToken, ...(body.token === undefined ? {} : { token: body.token }) }
    const input = {
      mfaToken: body.mfaToken,
      ...(body.code ? { code: body.code.trim() } : {}),
      ...(body.recoveryCode ? { recoveryCode: body.recoveryCode.trim() } : {}),
      userAgent: request.headers['user-agent'],
    }
    return kit.orRetry(
      reply,
      site,
      async () => {
        const session = await service.completeSecondStep(request.ctx, input, body.token)
        kit.signedIn(reply, session)
        const view = body.token ? views.accepted(site, session.session.roles, session) : views.signedIn(site, session)
        return render(reply, site, 200, view)
      },
      (message) => views.mfaForm(action, hidden, kit.issue(request, reply, action, body.mfaToken), message),
    )
  })
}
