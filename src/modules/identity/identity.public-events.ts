/**
 * Identity's public events (platform/events/public-events.ts): accounts created, disabled and
 * enabled, and tenant role changes, for an SIS or HR system keeping its people in step. Ids and
 * roles only: a partner reads a person's email address and name through the API with its key.
 */
import { Type } from 'typebox'
import { Actor, Nullable, PublicId, PublicInstant } from '../../platform/events/public-event-schemas.ts'
import { definePublicEvent, resourceBy } from '../../platform/events/public-events.ts'
import { TENANT_ROLES } from '../../platform/http/permissions.ts'
import {
  IDENTITY_ROLE_CHANGED,
  IDENTITY_USER_CREATED,
  IDENTITY_USER_DISABLED,
  IDENTITY_USER_ENABLED,
} from './identity.events.ts'

const USER_ID = '0be2051f-39d3-462e-aae4-dff5d00a8e5a'
const ADMIN = 'user:4411be8c-6383-4520-afc9-2920ebb32d8f'
const AT = '2026-11-02T08:55:31.208Z'
const user = resourceBy('user', 'userId')
const Roles = (description: string) => Type.Array(Type.Enum([...TENANT_ROLES]), { description })
const Status = { userId: PublicId(), status: Type.Enum(['active', 'disabled']), actor: Actor(), at: PublicInstant() }

export const identityPublicEvents = [
  definePublicEvent({
    type: IDENTITY_USER_CREATED,
    summary: 'An account was created in the tenant: by self-registration or an accepted invitation.',
    schema: Type.Object({
      userId: PublicId(),
      source: Type.Enum(['registration', 'invitation', 'seed'], {
        description: '`seed`: demo accounts of a development install',
      }),
      roles: Roles('The tenant roles it was created with'),
      invitationId: Nullable(PublicId('The accepted invitation, for `invitation`')),
      actor: Actor(),
      at: PublicInstant(),
    }),
    example: {
      userId: USER_ID,
      source: 'invitation',
      roles: ['instructor', 'learner'],
      invitationId: '1da24b5f-d67b-478b-aa8b-bc2e13659e2e',
      actor: `user:${USER_ID}`,
      at: AT,
    },
    resourceOf: user,
  }),
  definePublicEvent({
    type: IDENTITY_USER_DISABLED,
    summary: 'An account was disabled: its sessions ended and it cannot sign in.',
    schema: Type.Object(Status),
    example: { userId: USER_ID, status: 'disabled', actor: ADMIN, at: AT },
    resourceOf: user,
  }),
  definePublicEvent({
    type: IDENTITY_USER_ENABLED,
    summary: 'A disabled account was enabled again.',
    schema: Type.Object(Status),
    example: { userId: USER_ID, status: 'active', actor: ADMIN, at: AT },
    resourceOf: user,
  }),
  definePublicEvent({
    type: IDENTITY_ROLE_CHANGED,
    summary: 'A member’s tenant roles changed (granted or revoked by an administrator, an invitation or an approval).',
    schema: Type.Object({
      userId: PublicId(),
      roles: Roles('Every role held after the change'),
      granted: Roles('Roles added by this change'),
      revoked: Roles('Roles removed by this change'),
      actor: Actor(),
      at: PublicInstant(),
    }),
    example: {
      userId: USER_ID,
      roles: ['instructor', 'learner'],
      granted: ['instructor'],
      revoked: [],
      actor: ADMIN,
      at: AT,
    },
    resourceOf: user,
  }),
]
