/**
 * GET /asyncapi.json: the realtime protocol's AsyncAPI 3 document, public like /openapi.json. Built
 * once, on first request: the registry is closed by then, so the document cannot change.
 */
import type { App } from '../http/app-type.ts'
import { publicAccess } from '../http/access.ts'
import { asyncApiDocument, type AsyncApiSettings } from './asyncapi.ts'
import type { Registry } from './registry.ts'

export function realtimeRoutes(registry: Registry, settings: AsyncApiSettings) {
  let document: Record<string, unknown> | undefined
  return async function routes(app: App): Promise<void> {
    app.get(
      '/asyncapi.json',
      {
        schema: {
          summary: 'AsyncAPI 3 document of the realtime (Socket.IO) protocol',
          description: 'Generated from the schemas the gateway validates every message with (docs/realtime.md)',
          tags: ['meta'],
          operationId: 'getAsyncApiDocument',
          response: { 200: { description: 'The AsyncAPI 3 document', type: 'object', additionalProperties: true } },
        },
        config: { access: publicAccess() },
      },
      async () => (document ??= asyncApiDocument(registry, settings)),
    )
  }
}
