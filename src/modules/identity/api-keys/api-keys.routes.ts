import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import { Page } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import {
  ApiKey,
  ApiKeyParams,
  ApiKeyQuery,
  CreateApiKeyBody,
  IssuedApiKey,
  RotateApiKeyBody,
} from './api-keys.schemas.ts'
import type { ApiKeysService } from './api-keys.service.ts'

const tags = ['identity']
const USAGE =
  'Send the key as "Authorization: Bearer <secret>"; it acts in this tenant with exactly its scopes. Refused while impersonating.'

export function apiKeysRoutes(service: ApiKeysService) {
  return async function routes(app: App) {
    app.addSchema(ApiKey)
    app.addSchema(IssuedApiKey)
    const ApiKeyRef = Type.Ref('ApiKey')
    const IssuedRef = Type.Ref('IssuedApiKey')
    const access = tenantAccess('api_keys:manage')
    // Minting or cutting off a credential is refused while impersonating (403 IMPERSONATION_FORBIDDEN).
    const change = { access, privileged: true }
    const ISSUING =
      ' Issuing a key is a credential change: send your current password, unless you signed in within 5 minutes (403 REAUTHENTICATION_REQUIRED otherwise). You are mailed. The key works only while you are an active member: disabling you stops it.'

    app.post(
      '/v1/api-keys',
      {
        schema: {
          summary: 'Create an API key',
          description: `The response is the only place the secret appears. ${USAGE}${ISSUING}`,
          tags,
          operationId: 'createApiKey',
          body: CreateApiKeyBody,
          response: { 201: IssuedRef },
        },
        config: change,
      },
      async (request, reply) => reply.status(201).send(await service.create(request.ctx, request.body)),
    )

    app.get(
      '/v1/api-keys',
      {
        schema: {
          summary: "List the tenant's API keys (never their secrets)",
          tags,
          operationId: 'listApiKeys',
          querystring: ApiKeyQuery,
          response: { 200: Page(ApiKeyRef, 'ApiKeyPage') },
        },
        config: { access },
      },
      async (request) => service.list(request.ctx, request.query),
    )

    app.get(
      '/v1/api-keys/:id',
      {
        schema: {
          summary: 'Show an API key (never its secret)',
          tags,
          operationId: 'getApiKey',
          params: ApiKeyParams,
          response: { 200: ApiKeyRef },
        },
        config: { access },
      },
      async (request) => service.get(request.ctx, request.params.id),
    )

    app.post(
      '/v1/api-keys/:id/rotate',
      {
        schema: {
          summary: 'Rotate an API key',
          description:
            'Issues a new key with the same name and scopes (secret shown once). The old key keeps working for graceSeconds (default and maximum one day; 0 revokes it now). A revoked, expired or already rotated key is 409 API_KEY_NOT_ROTATABLE.' +
            ISSUING,
          tags,
          operationId: 'rotateApiKey',
          params: ApiKeyParams,
          body: RotateApiKeyBody,
          response: { 201: IssuedRef },
        },
        config: change,
      },
      async (request, reply) =>
        reply.status(201).send(await service.rotate(request.ctx, request.params.id, request.body)),
    )

    app.delete(
      '/v1/api-keys/:id',
      {
        schema: {
          summary: 'Revoke an API key',
          description: 'It stops working on its next request.',
          tags,
          operationId: 'revokeApiKey',
          params: ApiKeyParams,
          response: { 204: Type.Null({ description: 'Revoked' }) },
        },
        config: change,
      },
      async (request, reply) => {
        await service.revoke(request.ctx, request.params.id)
        return reply.status(204).send(null)
      },
    )
  }
}
