import { Type, type Static } from 'typebox'
import { PageQuery } from '../../platform/http/pagination.ts'

const DateTime = Type.String({ format: 'date-time' })
const CertificateStatus = Type.Union([Type.Literal('active'), Type.Literal('revoked')])

export const Certificate = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    userId: Type.String({ format: 'uuid' }),
    courseId: Type.String({ format: 'uuid' }),
    enrolmentId: Type.String({ format: 'uuid' }),
    recipientName: Type.String(),
    courseTitle: Type.String(),
    issuedAt: DateTime,
    status: CertificateStatus,
    revokedAt: Type.Union([DateTime, Type.Null()]),
    revocationReason: Type.Union([Type.String(), Type.Null()]),
    verificationUrl: Type.String({ format: 'uri', description: 'Public page anyone can check the certificate at' }),
  },
  { $id: 'Certificate', additionalProperties: false },
)
export type Certificate = Static<typeof Certificate>

export const CertificateParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false })
export const VerificationParams = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
)

export const CertificateQuery = Type.Object(
  {
    ...PageQuery.properties,
    userId: Type.Optional(Type.String({ format: 'uuid', description: "Only this learner's certificates" })),
    courseId: Type.Optional(Type.String({ format: 'uuid', description: 'Only certificates of this course' })),
  },
  { additionalProperties: false },
)

export const RevokeBody = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'Why the certificate is withdrawn (kept with it and in the audit log)',
    }),
  },
  { additionalProperties: false },
)

export const CertificateVerification = Type.Object(
  {
    valid: Type.Boolean({ description: 'true while the certificate is not revoked' }),
    status: CertificateStatus,
    recipientName: Type.String(),
    courseTitle: Type.String(),
    issuedAt: DateTime,
    issuer: Type.Object(
      {
        id: Type.String({ description: "The issuer's did:key" }),
        name: Type.String(),
        url: Type.String({ format: 'uri' }),
      },
      { additionalProperties: false },
    ),
    revokedAt: Type.Optional(DateTime),
  },
  { $id: 'CertificateVerification', additionalProperties: false },
)
export type CertificateVerification = Static<typeof CertificateVerification>

/** A W3C Verifiable Credential as issued (JSON-LD); its members are defined by its @context. */
export const VerifiableCredential = Type.Object(
  {
    '@context': Type.Array(Type.String()),
    id: Type.Optional(Type.String()),
    type: Type.Array(Type.String()),
    issuer: Type.Unknown(),
    validFrom: DateTime,
    credentialSubject: Type.Unknown(),
    proof: Type.Unknown(),
  },
  { additionalProperties: true },
)
export type VerifiableCredential = Static<typeof VerifiableCredential>

/** The PDF bytes (a Buffer on the server side). */
export const PdfFile = Type.Unsafe<Buffer>({ type: 'string', format: 'binary' })
