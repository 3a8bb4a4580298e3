/**
 * Every text of the hosted pages, in one catalogue so another language is one more object of the
 * same shape (chosen from the tenant's default locale). English only for now.
 */
export const en = {
  verify: {
    title: 'Confirm your email address',
    intro: (tenant: string) => `Confirm your email address to finish creating your account at ${tenant}.`,
    submit: 'Confirm my email address',
    doneTitle: 'Email address confirmed',
    done: 'Your email address is confirmed. You can now sign in.',
  },
  reset: {
    title: 'Choose a new password',
    intro: 'Choose a new password for your account. Saving it signs you out on every device.',
    password: 'New password',
    confirm: 'New password again',
    hint: 'At least 12 characters. Long passphrases are good; common passwords are refused.',
    submit: 'Save the new password',
    doneTitle: 'Password changed',
    done: 'Your password is changed and every earlier sign-in has ended. Sign in with the new password.',
    requestTitle: 'Forgot your password?',
    requestIntro: 'Enter the email address of your account and we will send you a link to choose a new password.',
    requestSubmit: 'Send me a reset link',
  },
  magic: {
    title: 'Sign in',
    intro: (tenant: string) => `Sign in to ${tenant} with the link from your email.`,
    submit: 'Sign in',
    requestTitle: 'Sign in with a link',
    requestIntro: 'Enter the email address of your account and we will send you a link that signs you in.',
    requestSubmit: 'Email me a sign-in link',
  },
  request: {
    email: 'Email address',
    sentTitle: 'Check your email',
    sent: 'If the address has an account here, an email with a link is on its way. The link works once and expires soon.',
  },
  mfa: {
    title: 'Two-factor authentication',
    intro: 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.',
    code: 'Code from your authenticator app',
    recoveryCode: 'Or a recovery code',
    submit: 'Continue',
  },
  signedIn: {
    title: 'You are signed in',
    done: (tenant: string) => `Sign-in succeeded: this browser is now signed in to ${tenant}.`,
    enrolmentRequired:
      'Your role requires two-factor authentication: set it up in the app before you can do anything else.',
  },
  invitation: {
    title: (tenant: string) => `Join ${tenant}`,
    intro: (email: string, roles: string) => `This invitation is for ${email}, as ${roles}.`,
    signUp: 'Create your account to accept it.',
    displayName: 'Your name (shown to others, optional)',
    password: 'Choose a password',
    confirm: 'Password again',
    signUpSubmit: 'Create my account and accept',
    signIn: 'You already have an account with this address. Sign in with its password to accept.',
    signInPassword: 'Password',
    signInSubmit: 'Sign in and accept',
    acceptedTitle: 'Invitation accepted',
    accepted: (tenant: string, roles: string) => `Welcome to ${tenant}! You are now a member as ${roles}.`,
  },
  errors: {
    title: 'Something went wrong',
    invalidLinkTitle: 'This link does not work',
    missingToken: 'The link is incomplete. Open the link from your email again, or ask for a new one.',
    malformedLink: 'The link is damaged. Open the link from your email again, or ask for a new one.',
    malformedForm: (fields: string) => `The form was incomplete or malformed (${fields}). Go back and try again.`,
    passwordsDiffer: 'The two passwords differ; type the same password twice.',
    unexpected: 'An unexpected error occurred. Try again in a moment.',
    notFound: 'There is no such page here.',
    rateLimited: 'Too many attempts. Wait a moment and try again.',
  },
} as const

export type Messages = typeof en
