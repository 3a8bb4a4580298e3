import { AppError } from '../../../platform/errors.ts'

export const invitationsErrors = {
  /** One answer for unknown, used, revoked and expired links: which it was is no business of the holder. */
  invalid: () =>
    new AppError(
      'invalid',
      'INVITATION_INVALID',
      'The invitation link is invalid, already used, revoked or expired; ask for a new invitation',
    ),
  notFound: (id: string) => new AppError('not_found', 'INVITATION_NOT_FOUND', `No invitation ${id} in this tenant`),
  pending: () =>
    new AppError(
      'conflict',
      'INVITATION_PENDING',
      'An invitation to this address is already pending; resend or revoke it instead',
    ),
  notPending: (status: string) =>
    new AppError('conflict', 'INVITATION_NOT_PENDING', `The invitation is ${status}; only a pending one can change`),
  selfInvitation: () =>
    new AppError('forbidden', 'INVITATION_SELF', 'Nobody invites themselves; ask another administrator'),
  emailMismatch: () =>
    new AppError(
      'forbidden',
      'INVITATION_EMAIL_MISMATCH',
      'This invitation is for another email address; sign in with the invited account',
    ),
  accountExists: () =>
    new AppError(
      'conflict',
      'INVITATION_ACCOUNT_EXISTS',
      'An account with the invited address exists: sign in with it and accept the invitation there',
    ),
  resendThrottled: (retryAfter: number) =>
    new AppError(
      'rate_limited',
      'INVITATION_RESEND_THROTTLED',
      'The invitation was sent moments ago; try again shortly',
      {
        retryAfter,
      },
    ),
  quotaReached: (limit: number) =>
    new AppError(
      'rate_limited',
      'INVITATION_QUOTA_REACHED',
      `At most ${limit} invitations a day may be sent by one person; try again tomorrow`,
      { retryAfter: 3600 },
    ),
  sendLimitReached: (limit: number) =>
    new AppError(
      'rate_limited',
      'INVITATION_SEND_LIMIT',
      `An invitation is mailed at most ${limit} times; revoke it and invite the address again`,
    ),
  /** The operator routes name a tenant in the path. */
  tenantNotFound: (id: string) => new AppError('not_found', 'TENANT_NOT_FOUND', `Tenant ${id} does not exist`),
  denied: () =>
    new AppError(
      'forbidden',
      'INVITATION_DENIED',
      'Invitations are sent by members who manage members and by platform operators',
    ),
}
