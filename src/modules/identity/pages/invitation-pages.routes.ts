/**
 * The invitation page, `/invitation`: a new address signs up (POST /invitation), an existing
 * account signs in with its password (POST /invitation/sign-in, then /invitation/mfa with a second
 * factor); either way the invitation is accepted and the browser signed in, in one transaction.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { App } from '../../../platform/http/server.ts'
import type { TenantSite } from '../../tenancy/index.ts'
import { secondStepRoute } from './link-pages.routes.ts'
import { PAGE_PATHS } from './page-links.ts'
import { formBody, LinkQuery, Password, routeOptions, Token, type PageKit } from './pages.kit.ts'
import { en as t } from './pages.messages.ts'
import { isChallenge } from './pages.service.ts'
import { views } from './pages.views.ts'

const SIGN_IN = `${PAGE_PATHS.invitation}/sign-in`
const SECOND_STEP = `${PAGE_PATHS.invitation}/mfa`

/** The form the invitation calls for: sign-up for a new address, sign-in for an existing account. */
async function formFor(
  kit: PageKit,
  request: FastifyRequest,
  reply: FastifyReply,
  site: TenantSite,
  token: string,
  error?: string,
) {
  const invitation = await kit.service.previewInvitation(request.ctx, token)
  const action = invitation.accountExists ? SIGN_IN : PAGE_PATHS.invitation
  return views.invitationForm(site, invitation, token, kit.issue(request, reply, action, token), error)
}

function signUpRoute(app: App, kit: PageKit): void {
  const body = formBody({
    token: Token,
    displayName: Type.Optional(Type.String({ maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]*$' })),
    newPassword: Password,
    confirmPassword: Password,
  })
  app.post(PAGE_PATHS.invitation, routeOptions('POST', { body }), async (request, reply) => {
    const form = request.body as {
      token: string
      displayName?: string
      newPassword: string
      confirmPassword: string
      csrf: string
    }
    kit.verify(request, PAGE_PATHS.invitation, form.token, form.csrf)
    const site = await kit.service.site(request.ctx)
    if (form.newPassword !== form.confirmPassword)
      return kit.render(
        reply,
        site,
        400,
        await formFor(kit, request, reply, site, form.token, t.errors.passwordsDiffer),
      )
    return kit.orRetry(
      reply,
      site,
      async () => {
        const session = await kit.service.acceptBySignUp(request.ctx, {
          token: form.token,
          password: form.newPassword,
          displayName: form.displayName,
          userAgent: request.headers['user-agent'],
        })
        kit.signedIn(reply, session)
        return kit.render(reply, site, 200, views.accepted(site, session.session.roles, session))
      },
      // The link is still good (nothing was used), the password was not: the same form again.
      (message) => formFor(kit, request, reply, site, form.token, message),
    )
  })
}

function signInRoute(app: App, kit: PageKit): void {
  app.post(
    SIGN_IN,
    routeOptions('POST', { body: formBody({ token: Token, password: Password }) }),
    async (request, reply) => {
      const form = request.body as { token: string; password: string; csrf: string }
      kit.verify(request, SIGN_IN, form.token, form.csrf)
      const site = await kit.service.site(request.ctx)
      return kit.orRetry(
        reply,
        site,
        async () => {
          const outcome = await kit.service.acceptBySignIn(request.ctx, {
            token: form.token,
            password: form.password,
            userAgent: request.headers['user-agent'],
          })
          if (isChallenge(outcome)) {
            const csrf = kit.issue(request, reply, SECOND_STEP, outcome.mfaToken)
            return kit.render(
              reply,
              site,
              200,
              views.mfaForm(SECOND_STEP, { mfaToken: outcome.mfaToken, token: form.token }, csrf),
            )
          }
          kit.signedIn(reply, outcome)
          return kit.render(reply, site, 200, views.accepted(site, outcome.session.roles, outcome))
        },
        (message) => formFor(kit, request, reply, site, form.token, message),
      )
    },
  )
}

export function invitationRoutes(app: App, kit: PageKit): void {
  app.get(PAGE_PATHS.invitation, routeOptions('GET', { querystring: LinkQuery }), async (request, reply) => {
    const site = await kit.service.site(request.ctx)
    const { token } = request.query as { token?: string }
    if (token === undefined)
      return kit.render(reply, site, 400, views.error(t.errors.invalidLinkTitle, t.errors.missingToken))
    return kit.render(reply, site, 200, await formFor(kit, request, reply, site, token))
  })
  signUpRoute(app, kit)
  signInRoute(app, kit)
  secondStepRoute(app, kit, SECOND_STEP, true)
}
