import { Type, type Static, type TSchema } from 'typebox'
import { PageQuery } from '../http/pagination.ts'

const Status = Type.Union(
  [
    Type.Literal('queued'),
    Type.Literal('sent'),
    Type.Literal('captured'),
    Type.Literal('failed'),
    Type.Literal('suppressed'),
  ],
  {
    description:
      'queued (waiting or retrying), sent (accepted by SMTP), captured (kept in the outbox, no SMTP configured), failed (gave up), suppressed (not sent: the address bounced or complained before)',
  },
)
const Timestamp = Type.String({ format: 'date-time' })
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const MailMessage = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    tenantId: Nullable(Type.String({ format: 'uuid' })),
    messageKey: Type.String({ description: 'Caller-chosen key; a key is sent at most once' }),
    to: Type.String(),
    from: Type.String(),
    subject: Type.String(),
    headers: Type.Record(Type.String(), Type.String(), {
      description: 'Extra headers sent with it (List-Unsubscribe, List-Unsubscribe-Post, List-Id); {} when none',
    }),
    status: Status,
    transport: Nullable(Type.Union([Type.Literal('smtp'), Type.Literal('outbox')])),
    attempts: Type.Integer({ minimum: 0, description: 'Delivery attempts made so far' }),
    lastError: Nullable(Type.String({ description: 'Error of the last failed attempt' })),
    providerMessageId: Nullable(Type.String({ description: 'Message-ID the SMTP server accepted' })),
    createdAt: Timestamp,
    sentAt: Nullable(Timestamp),
    text: Type.Optional(Type.String({ description: 'Plain-text body (omitted in production)' })),
    html: Type.Optional(Nullable(Type.String({ description: 'HTML body (omitted in production)' }))),
  },
  { $id: 'MailMessage', additionalProperties: false },
)
export type MailMessage = Static<typeof MailMessage>
export type MailStatus = MailMessage['status']

export const MailListQuery = Type.Object({
  ...PageQuery.properties,
  to: Type.Optional(
    Type.String({ minLength: 3, maxLength: 320, description: 'Recipient address (case-insensitive exact match)' }),
  ),
  status: Type.Optional(Status),
  tenantId: Type.Optional(Type.String({ format: 'uuid', description: 'Only messages sent on behalf of this tenant' })),
})
export type MailListQuery = Static<typeof MailListQuery>

export const MailIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
