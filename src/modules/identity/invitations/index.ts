/** Invitations by email: operators and member managers invite, invitees accept by sign-up or sign-in (composed by ../account-flows.ts). */
export { createInvitationsService, type InvitationsService, type InvitationsDeps } from './invitations.service.ts'
export {
  createInvitationAcceptance,
  type InvitationAcceptance,
  type InvitationPreview,
} from './invitation-acceptance.ts'
export { invitationsRoutes } from './invitations.routes.ts'
