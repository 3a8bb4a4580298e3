/** The tenant's learning policy: read with tenant:read, replaced by tenant administrators. */
import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import { expectedVersion, setEtag } from '../../../platform/http/etag.ts'
import type { App } from '../../../platform/http/server.ts'
import { LearningPolicy, LearningPolicyBody } from './learning-policy.schemas.ts'
import type { LearningPolicyService } from './learning-policy.service.ts'

const tags = ['catalogue']

export function learningPolicyRoutes(app: App, service: LearningPolicyService): void {
  app.addSchema(LearningPolicy)
  const PolicyRef = Type.Ref('LearningPolicy')

  app.get(
    '/v1/learning-policy',
    {
      schema: {
        summary: "The tenant's learning policy",
        description:
          'What course staff may do with the courses they teach: be enrolled in them (allowStaffSelfEnrolment) and, for administrators, publish them without an independent review (allowSelfPublication). Needs tenant:read (tenant administrators, compliance); the refusals it causes explain themselves to staff. A tenant that never changed it reads the defaults with version 0. The ETag is the version to send as If-Match.',
        tags,
        operationId: 'getLearningPolicy',
        response: { 200: PolicyRef },
      },
      config: { access: tenantAccess('tenant:read') },
    },
    async (request, reply) => {
      const policy = await service.get(request.ctx)
      setEtag(reply, policy.version)
      return policy
    },
  )

  app.put(
    '/v1/learning-policy',
    {
      schema: {
        summary: "Replace the tenant's learning policy",
        description:
          'Tenant administrators (tenant:manage). Requires If-Match with the ETag of your last read (428 without it, 412 when it changed since; "v0" before the first change). A change is audited (catalogue.learning_policy_changed, with both values); sending the current values changes nothing. Refused while impersonating (403 IMPERSONATION_FORBIDDEN).',
        tags,
        operationId: 'replaceLearningPolicy',
        body: LearningPolicyBody,
        response: { 200: PolicyRef },
      },
      config: { ifMatch: 'required', access: tenantAccess('tenant:manage'), privileged: true },
    },
    async (request, reply) => {
      const policy = await service.replace(request.ctx, expectedVersion(request) as number, request.body)
      setEtag(reply, policy.version)
      return policy
    },
  )
}
