import { Type, type Static } from 'typebox'
import { PageQuery } from '../../../platform/http/pagination.ts'

export const STATEMENT_MIN = 50
export const STATEMENT_MAX = 5000
export const LINKS_MAX = 5

export const APPLICATION_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn'] as const
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number]
const Status = Type.Unsafe<ApplicationStatus>({ type: 'string', enum: [...APPLICATION_STATUSES] })
const Timestamp = Type.String({ format: 'date-time' })
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()])

export const InstructorApplication = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    userId: Type.String({ format: 'uuid', description: 'The applicant' }),
    applicant: Type.Object(
      { email: Type.String(), displayName: Nullable(Type.String()) },
      { additionalProperties: false },
    ),
    statement: Type.String(),
    links: Type.Array(Type.String()),
    status: Status,
    submittedAt: Timestamp,
    reviewedBy: Nullable(Type.String({ format: 'uuid' })),
    reviewedAt: Nullable(Timestamp),
    reviewNote: Nullable(Type.String()),
    version: Type.Integer({
      minimum: 1,
      description: 'Also sent as the ETag ("v<version>"); decisions need it in If-Match',
    }),
  },
  { $id: 'InstructorApplication', additionalProperties: false },
)

export const SubmitApplicationBody = Type.Object(
  {
    statement: Type.String({
      minLength: STATEMENT_MIN,
      maxLength: STATEMENT_MAX,
      description: 'Why you want to teach and what (50-5000 characters)',
    }),
    links: Type.Optional(
      Type.Array(Type.String({ format: 'uri', pattern: '^https://', maxLength: 2048 }), {
        maxItems: LINKS_MAX,
        uniqueItems: true,
        description: `Up to ${LINKS_MAX} https links to a portfolio, sample lessons or a profile`,
      }),
    ),
  },
  { additionalProperties: false },
)
export type SubmitApplicationBody = Static<typeof SubmitApplicationBody>

const Note = Type.String({
  minLength: 1,
  maxLength: 2000,
  pattern: '\\S',
  description: 'Shown to the applicant in the decision email',
})
export const ApproveApplicationBody = Type.Object({ note: Type.Optional(Note) }, { additionalProperties: false })
export const RejectApplicationBody = Type.Object(
  { note: { ...Note, description: 'Required: tells the applicant why' } },
  { additionalProperties: false },
)

export const ApplicationParams = Type.Object(
  { applicationId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
)

export const ApplicationQuery = Type.Object(
  {
    ...PageQuery.properties,
    status: Type.Optional({
      ...Status,
      description: 'Only applications in this status (e.g. pending: the review queue)',
    }),
  },
  { additionalProperties: false },
)
