/**
 * What the hosted pages do, on top of the same services as the JSON API: looking at a link
 * without using it (GET), then using it (POST). Sign-ins from these pages end in a browser
 * session (cookie + CSRF token), like POST /v1/browser-sessions.
 */
import { commonErrors } from '../../../platform/errors.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { readTenantSite, type TenantSite, type TenantSiteOptions } from '../../tenancy/index.ts'
import type { TokenPurpose } from '../accounts/accounts.repository.ts'
import type { AccountsService } from '../accounts/accounts.service.ts'
import { hashOneTimeToken } from '../accounts/one-time-tokens.ts'
import type { InvitationAcceptance } from '../invitations/index.ts'
import { recoveryRepository } from '../recovery/recovery.repository.ts'
import type { RecoveryService } from '../recovery/recovery.service.ts'
import { browserStarter, type BrowserSession, type CompleteSecondStep } from '../sessions/browser-sessions.service.ts'
import type { LoginService, MfaChallenge } from '../sessions/login.service.ts'

export interface PagesDeps {
  site: TenantSiteOptions
  accounts: AccountsService
  recovery: RecoveryService
  invitations: InvitationAcceptance
  /** Password sign-in with any session starter (sessions/login.service.ts). */
  signIn: LoginService['signIn']
  /** The second sign-in step with any session starter (mfa.service.ts completeLoginWith). */
  completeSecondStep: CompleteSecondStep
}

export type PageSignIn = BrowserSession | MfaChallenge

export const isChallenge = (outcome: PageSignIn): outcome is MfaChallenge => 'mfaRequired' in outcome

function tenantOf(ctx: RequestContext): string {
  if (!ctx.tenantId) throw commonErrors.tenantRequired()
  return ctx.tenantId
}

export function createPagesService(deps: PagesDeps) {
  return {
    /** The tenant this host serves, for the page's header and language. */
    site: (ctx: RequestContext): Promise<TenantSite> =>
      ctx.inTenant((tx) => readTenantSite(tx, tenantOf(ctx), deps.site)),

    /** Whether an emailed link of `purpose` can still be used (of an active account); nothing is consumed. */
    async linkUsable(ctx: RequestContext, purpose: TokenPurpose, token: string): Promise<boolean> {
      tenantOf(ctx)
      const owner = await ctx.inTenant((tx) => recoveryRepository.peekToken(tx, purpose, hashOneTimeToken(token)))
      return owner !== undefined
    },

    verifyEmail: (ctx: RequestContext, token: string) => deps.accounts.verifyEmail(ctx, token),
    resetPassword: (ctx: RequestContext, token: string, newPassword: string) =>
      deps.recovery.confirmPasswordReset(ctx, { token, newPassword }),
    requestPasswordReset: (ctx: RequestContext, email: string) => deps.recovery.requestPasswordReset(ctx, email),
    requestMagicLink: (ctx: RequestContext, email: string) => deps.recovery.requestMagicLink(ctx, email),

    signInByLink: (ctx: RequestContext, token: string, userAgent: string | undefined): Promise<PageSignIn> =>
      deps.recovery.consumeMagicLinkWith(ctx, { token, userAgent }, browserStarter),

    /** The second step; with an invitation token the invitation is accepted in the same transaction. */
    completeSecondStep(
      ctx: RequestContext,
      input: { mfaToken: string; code?: string; recoveryCode?: string; userAgent: string | undefined },
      invitationToken: string | undefined,
    ): Promise<BrowserSession> {
      const starter =
        invitationToken === undefined
          ? browserStarter
          : deps.invitations.acceptingStarter(ctx, invitationToken, browserStarter)
      return deps.completeSecondStep(ctx, input, starter)
    },

    previewInvitation: (ctx: RequestContext, token: string) => deps.invitations.preview(ctx, token),

    async acceptBySignUp(
      ctx: RequestContext,
      input: { token: string; password: string; displayName?: string | undefined; userAgent: string | undefined },
    ): Promise<BrowserSession> {
      const { credentials } = await deps.invitations.acceptBySignUp(ctx, input, browserStarter)
      if (!credentials) throw new Error('a sign-up with a session starter started no session')
      return credentials
    },

    /** Signs in with the invited account's password and accepts in the sign-in transaction. */
    async acceptBySignIn(
      ctx: RequestContext,
      input: { token: string; password: string; userAgent: string | undefined },
    ): Promise<PageSignIn> {
      const invitation = await deps.invitations.preview(ctx, input.token)
      await deps.invitations.proveAddress(ctx, input.token)
      const starter = deps.invitations.acceptingStarter(ctx, input.token, browserStarter)
      return deps.signIn(
        ctx,
        { email: invitation.email, password: input.password, userAgent: input.userAgent },
        starter,
      )
    },
  }
}

export type PagesService = ReturnType<typeof createPagesService>
