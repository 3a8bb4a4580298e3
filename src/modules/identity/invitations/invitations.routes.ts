import { Type } from 'typebox'
import { operatorAccess, publicAccess, tenantAccess } from '../../../platform/http/access.ts'
import { Page } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import { normaliseEmailField } from '../accounts/email-address.ts'
import type { InvitationAcceptance } from './invitation-acceptance.ts'
import {
  AcceptBySignUpBody,
  AcceptSignedInBody,
  CreateInvitationBody,
  Invitation,
  InvitationAccepted,
  InvitationListQuery,
  InvitationParams,
  OperatorInvitationBody,
  TenantInvitationParams,
  TenantInvitationsParams,
} from './invitations.schemas.ts'
import type { InvitationsService } from './invitations.service.ts'

const tags = ['identity']
const noStore = { 'cache-control': 'no-store' }
const RULES =
  'Roles only up to your own rank (403 ROLE_LEVEL_TOO_LOW), never to your own address (403 INVITATION_SELF), refused while impersonating; one pending invitation per address (409 INVITATION_PENDING). The mail links to the tenant (its web client, else the hosted page /invitation); the link works once and expires after 7 days.'
const OPERATOR_NOTE =
  ' Operator variant for any tenant; the default role is tenant_admin (appointing its first administrator).'

function memberRoutes(app: App, service: InvitationsService, InvitationRef: ReturnType<typeof Type.Ref>) {
  app.post(
    '/v1/invitations',
    {
      schema: {
        summary: 'Invite someone by email to join the tenant with roles',
        description: RULES,
        tags,
        operationId: 'createInvitation',
        body: CreateInvitationBody,
        response: { 201: InvitationRef },
      },
      config: { access: tenantAccess('members:manage'), privileged: true },
      preValidation: normaliseEmailField,
    },
    async (request, reply) => {
      const invitation = await service.create(request.ctx, request.body)
      return reply.status(201).send(invitation)
    },
  )

  app.get(
    '/v1/invitations',
    {
      schema: {
        summary: "List the tenant's invitations, newest first",
        description: 'Pending, accepted, revoked and expired invitations (status expired once past expiresAt).',
        tags,
        operationId: 'listInvitations',
        querystring: InvitationListQuery,
        response: { 200: Page(InvitationRef, 'InvitationPage') },
      },
      config: { access: tenantAccess('members:read') },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.delete(
    '/v1/invitations/:id',
    {
      schema: {
        summary: 'Revoke a pending invitation',
        description:
          'Its link stops working at once. Only pending (or expired) invitations (409 INVITATION_NOT_PENDING), and only by someone ranking at least as high as its roles.',
        tags,
        operationId: 'revokeInvitation',
        params: InvitationParams,
        response: { 204: Type.Null({ description: 'Revoked' }) },
      },
      config: { access: tenantAccess('members:manage'), privileged: true },
    },
    async (request, reply) => {
      await service.revoke(request.ctx, request.params)
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/v1/invitations/:id/resend',
    {
      schema: {
        summary: 'Mail a pending invitation again',
        description:
          'A new link replaces the old one (which stops working) and the 7 days start again. At most once a minute (429 INVITATION_RESEND_THROTTLED) and five mails per invitation (429 INVITATION_SEND_LIMIT).',
        tags,
        operationId: 'resendInvitation',
        params: InvitationParams,
        response: { 200: InvitationRef },
      },
      config: { access: tenantAccess('members:manage'), privileged: true },
    },
    async (request) => service.resend(request.ctx, request.params),
  )
}

function operatorRoutes(app: App, service: InvitationsService, InvitationRef: ReturnType<typeof Type.Ref>) {
  app.post(
    '/v1/tenants/:tenantId/invitations',
    {
      schema: {
        summary: 'Invite someone to a tenant (e.g. its first administrator)',
        description: RULES + OPERATOR_NOTE,
        tags,
        operationId: 'createTenantInvitation',
        params: TenantInvitationsParams,
        body: OperatorInvitationBody,
        response: { 201: InvitationRef },
      },
      config: { access: operatorAccess('platform:members') },
      preValidation: normaliseEmailField,
    },
    async (request, reply) => {
      const { tenantId } = request.params
      const invitation = await service.create(request.ctx, {
        tenantId,
        email: request.body.email,
        roles: request.body.roles ?? ['tenant_admin'],
      })
      return reply.status(201).send(invitation)
    },
  )

  app.get(
    '/v1/tenants/:tenantId/invitations',
    {
      schema: {
        summary: "List a tenant's invitations, newest first",
        tags,
        operationId: 'listTenantInvitations',
        params: TenantInvitationsParams,
        querystring: InvitationListQuery,
        response: { 200: Page(InvitationRef, 'TenantInvitationPage') },
      },
      config: { access: operatorAccess('platform:members') },
    },
    async (request) => service.list(request.ctx, { ...request.query, tenantId: request.params.tenantId }),
  )

  app.delete(
    '/v1/tenants/:tenantId/invitations/:id',
    {
      schema: {
        summary: "Revoke a tenant's pending invitation",
        tags,
        operationId: 'revokeTenantInvitation',
        params: TenantInvitationParams,
        response: { 204: Type.Null({ description: 'Revoked' }) },
      },
      config: { access: operatorAccess('platform:members') },
    },
    async (request, reply) => {
      await service.revoke(request.ctx, request.params)
      return reply.status(204).send(null)
    },
  )
}

/** Accepting, on the tenant's host: by signing up (anonymous) or as the signed-in invitee. */
function acceptRoutes(app: App, acceptance: InvitationAcceptance) {
  app.post(
    '/v1/invitations/accept',
    {
      schema: {
        summary: 'Accept an invitation by creating an account',
        description:
          'Creates the account of the invited address (verified: the link proves the mailbox) with the learner role and the invited ones; then sign in as usual. Unknown, used, revoked and expired links answer 400 INVITATION_INVALID; when the address already has an account, 409 INVITATION_ACCOUNT_EXISTS (sign in and use POST /v1/me/invitations/accept).',
        tags,
        operationId: 'acceptInvitation',
        body: AcceptBySignUpBody,
        response: { 201: InvitationAccepted },
      },
      config: { access: publicAccess('required'), rateLimit: 'auth' },
    },
    async (request, reply) => {
      const { accepted } = await acceptance.acceptBySignUp(request.ctx, request.body)
      return reply.status(201).headers(noStore).send(accepted)
    },
  )

  app.post(
    '/v1/me/invitations/accept',
    {
      schema: {
        summary: 'Accept an invitation to your own address',
        description:
          'Adds the invited roles to your membership; they apply from your next request. The invitation must be for the address of your account (403 INVITATION_EMAIL_MISMATCH); refused while impersonating. Unknown, used, revoked and expired links answer 400 INVITATION_INVALID.',
        tags,
        operationId: 'acceptInvitationSignedIn',
        body: AcceptSignedInBody,
        response: { 200: InvitationAccepted },
      },
      config: { access: tenantAccess(), privileged: true, rateLimit: 'auth' },
    },
    async (request) => acceptance.acceptSignedIn(request.ctx, request.body.token),
  )
}

export function invitationsRoutes(service: InvitationsService, acceptance: InvitationAcceptance) {
  return async function routes(app: App) {
    app.addSchema(Invitation)
    const InvitationRef = Type.Ref('Invitation')
    memberRoutes(app, service, InvitationRef)
    operatorRoutes(app, service, InvitationRef)
    acceptRoutes(app, acceptance)
  }
}
