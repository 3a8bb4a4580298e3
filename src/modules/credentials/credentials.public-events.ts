/** Credentials' public events (platform/events/public-events.ts): ids and instants, never names or codes. */
import { Type } from 'typebox'
import { Actor, PublicId, PublicInstant } from '../../platform/events/public-event-schemas.ts'
import { definePublicEvent, resourceBy } from '../../platform/events/public-events.ts'
import { CREDENTIALS_CERTIFICATE_ISSUED, CREDENTIALS_CERTIFICATE_REVOKED } from './credentials.events.ts'

const ids = {
  certificateId: '6ab79cad-342c-4244-8274-c200b95c06d6',
  enrolmentId: '94feef75-acc9-4544-a44a-0bb3523a142c',
  userId: '0be2051f-39d3-462e-aae4-dff5d00a8e5a',
  courseId: '279718f9-8d79-4d15-bbba-12a420a7b953',
}
const Ids = {
  certificateId: PublicId(),
  enrolmentId: PublicId('The completed enrolment'),
  userId: PublicId('The recipient'),
  courseId: PublicId(),
}
const certificate = resourceBy('certificate', 'certificateId')

export const credentialsPublicEvents = [
  definePublicEvent({
    type: CREDENTIALS_CERTIFICATE_ISSUED,
    summary: 'A certificate was issued for a completed course (once per enrolment).',
    schema: Type.Object({ ...Ids, issuedAt: PublicInstant() }),
    example: { ...ids, issuedAt: '2026-11-28T10:31:40.771Z' },
    resourceOf: certificate,
  }),
  definePublicEvent({
    type: CREDENTIALS_CERTIFICATE_REVOKED,
    summary: 'An administrator revoked a certificate; verifiers see it as revoked from now on.',
    schema: Type.Object({ ...Ids, revokedAt: PublicInstant(), actor: Actor() }),
    example: { ...ids, revokedAt: '2026-12-03T14:05:00.000Z', actor: 'user:4411be8c-6383-4520-afc9-2920ebb32d8f' },
    resourceOf: certificate,
  }),
]
