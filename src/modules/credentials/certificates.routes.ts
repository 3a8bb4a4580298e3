import { Type } from 'typebox'
import { publicAccess, tenantAccess } from '../../platform/http/access.ts'
import { Page, PageQuery } from '../../platform/http/pagination.ts'
import type { App } from '../../platform/http/server.ts'
import {
  Certificate,
  CertificateParams,
  CertificateQuery,
  CertificateVerification,
  PdfFile,
  RevokeBody,
  VerifiableCredential,
  VerificationParams,
} from './certificates.schemas.ts'
import type { CertificatesService } from './certificates.service.ts'

const tags = ['credentials']

/** The learner's own certificates. */
function learnerRoutes(app: App, service: CertificatesService, CertificateRef: ReturnType<typeof Type.Ref>) {
  app.get(
    '/v1/me/certificates',
    {
      schema: {
        summary: 'List my certificates',
        description: 'Certificates issued to the signed-in learner on completing a course, newest first.',
        tags,
        operationId: 'listMyCertificates',
        querystring: PageQuery,
        response: { 200: Page(CertificateRef, 'CertificatePage') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => service.listMine(request.ctx, request.query.limit, request.query.cursor),
  )

  app.get(
    '/v1/me/certificates/:id/pdf',
    {
      schema: {
        summary: 'Download my certificate as PDF',
        tags,
        operationId: 'getMyCertificatePdf',
        params: CertificateParams,
        response: {
          200: { description: 'The printable certificate', content: { 'application/pdf': { schema: PdfFile } } },
        },
      },
      config: { access: tenantAccess() },
    },
    async (request, reply) => {
      const { bytes, filename } = await service.pdf(request.ctx, request.params.id)
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(bytes)
    },
  )

  app.get(
    '/v1/me/certificates/:id/credential',
    {
      schema: {
        summary: 'Get my certificate as an Open Badges 3.0 credential',
        description:
          'The signed OpenBadgeCredential (W3C Verifiable Credential 2.0, Data Integrity proof eddsa-rdfc-2022, issuer a did:key) for a digital wallet.',
        tags,
        operationId: 'getMyCertificateCredential',
        params: CertificateParams,
        response: { 200: VerifiableCredential },
      },
      config: { access: tenantAccess() },
    },
    async (request) => service.credential(request.ctx, request.params.id),
  )
}

/** Administration (list, revoke) and the public verification endpoints. */
function issuerRoutes(app: App, service: CertificatesService, CertificateRef: ReturnType<typeof Type.Ref>) {
  app.get(
    '/v1/certificates',
    {
      schema: {
        summary: "List the tenant's certificates",
        tags,
        operationId: 'listCertificates',
        querystring: CertificateQuery,
        response: { 200: Page(CertificateRef, 'CertificateAdminPage') },
      },
      config: { access: tenantAccess('certificates:manage') },
    },
    async (request) => {
      const { limit, cursor, userId, courseId } = request.query
      return service.list(
        request.ctx,
        { ...(userId ? { userId } : {}), ...(courseId ? { courseId } : {}) },
        limit,
        cursor,
      )
    },
  )

  app.post(
    '/v1/certificates/:id/revoke',
    {
      schema: {
        summary: 'Revoke a certificate',
        description:
          'Sets its bit in the revocation status list; verification then reports it revoked. Audited. 409 CERTIFICATE_ALREADY_REVOKED when it already is.',
        tags,
        operationId: 'revokeCertificate',
        params: CertificateParams,
        body: RevokeBody,
        response: { 200: CertificateRef },
      },
      config: { access: tenantAccess('certificates:manage') },
    },
    async (request) => service.revoke(request.ctx, request.params.id, request.body.reason),
  )

  app.get(
    '/v1/certificates/verify/:code',
    {
      schema: {
        summary: 'Verify a certificate',
        description:
          "Public check of the code printed on a certificate, on the issuing tenant's host. Unknown codes are 404.",
        tags,
        operationId: 'verifyCertificate',
        params: VerificationParams,
        response: { 200: Type.Ref('CertificateVerification') },
      },
      config: { access: publicAccess('required') },
    },
    async (request) => service.verify(request.ctx, request.params.code),
  )

  app.get(
    '/v1/credentials/status-lists/revocation',
    {
      schema: {
        summary: "The tenant's revocation status list",
        description:
          'A BitstringStatusListCredential (W3C VC 2.0, signed by the tenant issuer key): the statusListCredential every certificate credential points to.',
        tags,
        operationId: 'getRevocationStatusList',
        response: { 200: VerifiableCredential },
      },
      config: { access: publicAccess('required') },
    },
    async (request) => service.revocationList(request.ctx),
  )
}

export function certificatesRoutes(service: CertificatesService) {
  return async function routes(app: App) {
    app.addSchema(Certificate)
    app.addSchema(CertificateVerification)
    const CertificateRef = Type.Ref('Certificate')
    learnerRoutes(app, service, CertificateRef)
    issuerRoutes(app, service, CertificateRef)
  }
}
