/**
 * The content of each hosted page (the frame is pages.layout.ts). Views are pure: they get the
 * values to show, already decided, and return the title and body; every value is escaped by the
 * `html` tag.
 */
import { html, type SafeHtml } from '../../../platform/http/html.ts'
import type { TenantRole } from '../../../platform/http/permissions.ts'
import type { TenantSite } from '../../tenancy/index.ts'
import { describeRoles } from '../invitations/invitation-mail.ts'
import type { InvitationPreview } from '../invitations/index.ts'
import { PAGE_PATHS, pageLink } from './page-links.ts'
import { form, notice, paragraph, problem, type Field } from './pages.layout.ts'
import { en as t } from './pages.messages.ts'

export interface View {
  title: string
  body: SafeHtml
  /** Set on the page that follows a sign-in: the browser session's CSRF token. */
  csrfToken?: string
}

const errorLine = (message: string | undefined) => (message ? problem(message) : '')

const newPasswordFields = (labels: { password: string; confirm: string }): Field[] => [
  { name: 'newPassword', label: labels.password, type: 'password', autocomplete: 'new-password', hint: t.reset.hint },
  { name: 'confirmPassword', label: labels.confirm, type: 'password', autocomplete: 'new-password' },
]

/** Where a signed-out person goes next: the sign-in-by-link page of this tenant. */
const signInLink = (site: TenantSite) =>
  html`<p><a href="${pageLink(site, 'magicLink')}">${t.magic.requestTitle}</a></p>`

export const views = {
  verifyForm: (site: TenantSite, token: string, csrf: string): View => ({
    title: t.verify.title,
    body: html`${paragraph(t.verify.intro(site.name))}
    ${form({ action: PAGE_PATHS.verifyEmail, csrf, hidden: { token }, submit: t.verify.submit })}`,
  }),

  verified: (site: TenantSite): View => ({
    title: t.verify.doneTitle,
    body: html`${notice(t.verify.done)}${signInLink(site)}`,
  }),

  resetForm: (token: string, csrf: string, error?: string): View => ({
    title: t.reset.title,
    body: html`${errorLine(error)}${paragraph(t.reset.intro)}
    ${form({
      action: PAGE_PATHS.resetPassword,
      csrf,
      hidden: { token },
      fields: newPasswordFields(t.reset),
      submit: t.reset.submit,
    })}`,
  }),

  resetDone: (site: TenantSite): View => ({
    title: t.reset.doneTitle,
    body: html`${notice(t.reset.done)}${signInLink(site)}`,
  }),

  /** The email form of a page opened without a token (forgot password, sign in by link). */
  requestForm: (kind: 'reset' | 'magic', csrf: string, error?: string): View => {
    const texts = kind === 'reset' ? t.reset : t.magic
    const path = kind === 'reset' ? PAGE_PATHS.resetPassword : PAGE_PATHS.magicLink
    return {
      title: texts.requestTitle,
      body: html`${errorLine(error)}${paragraph(texts.requestIntro)}
      ${form({
        action: `${path}/request`,
        csrf,
        fields: [{ name: 'email', label: t.request.email, type: 'email', autocomplete: 'email' }],
        submit: texts.requestSubmit,
      })}`,
    }
  },

  requestSent: (): View => ({ title: t.request.sentTitle, body: notice(t.request.sent) }),

  magicForm: (site: TenantSite, token: string, csrf: string): View => ({
    title: t.magic.title,
    body: html`${paragraph(t.magic.intro(site.name))}
    ${form({ action: PAGE_PATHS.magicLink, csrf, hidden: { token }, submit: t.magic.submit })}`,
  }),

  mfaForm: (action: string, hidden: Record<string, string>, csrf: string, error?: string): View => ({
    title: t.mfa.title,
    body: html`${errorLine(error)}${paragraph(t.mfa.intro)}
    ${form({
      action,
      csrf,
      hidden,
      fields: [
        {
          name: 'code',
          label: t.mfa.code,
          type: 'text',
          autocomplete: 'one-time-code',
          inputmode: 'numeric',
          required: false,
        },
        { name: 'recoveryCode', label: t.mfa.recoveryCode, type: 'text', autocomplete: 'off', required: false },
      ],
      submit: t.mfa.submit,
    })}`,
  }),

  signedIn: (site: TenantSite, session: { csrfToken: string; mfaEnrolmentRequired: boolean }, lead?: string): View => ({
    title: t.signedIn.title,
    csrfToken: session.csrfToken,
    body: html`${lead ? notice(lead) : ''}${notice(t.signedIn.done(site.name))}${
      session.mfaEnrolmentRequired ? problem(t.signedIn.enrolmentRequired) : ''
    }`,
  }),

  invitationForm: (
    site: TenantSite,
    invitation: InvitationPreview,
    token: string,
    csrf: string,
    error?: string,
  ): View => {
    const intro = paragraph(t.invitation.intro(invitation.email, describeRoles(invitation.roles)))
    const body = invitation.accountExists
      ? html`${paragraph(t.invitation.signIn)}
        ${form({
          action: `${PAGE_PATHS.invitation}/sign-in`,
          csrf,
          hidden: { token },
          fields: [
            {
              name: 'password',
              label: t.invitation.signInPassword,
              type: 'password',
              autocomplete: 'current-password',
            },
          ],
          submit: t.invitation.signInSubmit,
        })}`
      : html`${paragraph(t.invitation.signUp)}
        ${form({
          action: PAGE_PATHS.invitation,
          csrf,
          hidden: { token },
          fields: [
            {
              name: 'displayName',
              label: t.invitation.displayName,
              type: 'text',
              autocomplete: 'name',
              required: false,
            },
            ...newPasswordFields(t.invitation),
          ],
          submit: t.invitation.signUpSubmit,
        })}`
    return { title: t.invitation.title(site.name), body: html`${errorLine(error)}${intro}${body}` }
  },

  accepted: (
    site: TenantSite,
    roles: readonly TenantRole[],
    session: { csrfToken: string; mfaEnrolmentRequired: boolean },
  ) => views.signedIn(site, session, t.invitation.accepted(site.name, describeRoles(roles))),

  error: (title: string, message: string): View => ({ title, body: problem(message) }),
}
