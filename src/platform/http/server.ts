/**
 * The Fastify instance every module registers on: request ids, problem documents, JSON limits,
 * security headers, CORS, load shedding, OpenAPI, authentication and tenant resolution, and
 * enforcement of each route's declared access.
 */
import { randomUUID } from 'node:crypto'
import Fastify, { LogController } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { App } from './app-type.ts'
import cors from '@fastify/cors'
import underPressure from '@fastify/under-pressure'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { Logger } from 'pino'
import type { Config } from '../../config.ts'
import type { Database } from '../db/database.ts'
import { accessDocumentation, type Access } from './access.ts'
import type { BrowserSessionVerifier } from './cookie-auth.ts'
import { registerErrorHandling } from './error-handler.ts'
import { onlyOptionalFields, registerJsonParser } from './json-body.ts'
import { registerNotFound } from './not-found.ts'
import { registerInputGuard } from './input-guard.ts'
import { declareIfMatch } from './etag.ts'
import { registerTenantPathCheck } from './tenant-path.ts'
import { registerShutdownAnswers } from './shutdown.ts'
import { DOCUMENT_HEADERS, registerSecurityHeaders } from './security-headers.ts'
import { registerAdmissionLimit } from './admission.ts'
import { answerClientError, answerFrameworkError, MAX_PATH_SEGMENT_LENGTH } from './framework-errors.ts'
import type { PrincipalTokens } from './principal.ts'
import { buildProblem, FieldErrorSchema, ProblemSchema, sendProblem } from './problem.ts'
import type { RequestContext } from './request-context.ts'
import { registerRequestContext, type TenantDirectory } from './context-hook.ts'
import { CANONICAL_UUID } from './uuid-format.ts'
import { sharedSchemaCompilers } from './schema-compilers.ts'

declare module 'fastify' {
  interface FastifyRequest {
    ctx: RequestContext
  }
  interface FastifyContextConfig {
    /** The route verifies its own Authorization credential (e.g. /metrics's METRICS_TOKEN), so no principal is resolved from it. */
    ownCredentials?: boolean
  }
}

export type { App } from './app-type.ts'

export type { TenantDirectory, TenantRef } from './context-hook.ts'

export interface HttpServerDeps {
  config: Config
  logger: Logger
  database: Database
  tokens: PrincipalTokens
  tenants: TenantDirectory
  /** Browser-session cookies (cookie-auth.ts); without it, cookies authenticate nobody. */
  browserSessions?: BrowserSessionVerifier
  /** Test instrumentation: runs on the bare instance before any hook, plugin or route registers. */
  instrument?: (app: App) => void
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/

export async function createHttpServer(deps: HttpServerDeps): Promise<App> {
  const { config } = deps
  const app = createFastify(config, deps.logger)
  deps.instrument?.(app)

  registerErrorHandling(app)
  registerNotFound(app)
  registerJsonParser(app, config.http.jsonMaxDepth)
  registerInputGuard(app)
  registerTenantPathCheck(app, deps.tenants)
  app.addSchema(FieldErrorSchema)
  app.addSchema(ProblemSchema)
  app.addHook('onRoute', declareAccess)
  app.addHook('onRoute', declareIfMatch)
  registerSecurityHeaders(app)
  await registerCors(app, config)
  registerShutdownAnswers(app)
  await registerLoadShedding(app, config)
  registerAdmissionLimit(app, { maxInFlight: config.http.maxInFlightRequests, retryAfterSeconds: 1 })
  await registerOpenApi(app, config)
  // Last of the server's onRequest hooks: security headers, CORS, load shedding and admission apply before
  // any credential is checked or the database is asked about the tenant.
  registerRequestContext(app, deps)
  return app
}

function createFastify(config: Config, logger: Logger): App {
  return Fastify({
    // With logging off (LOG_LEVEL=silent, as in `npm run bench`) Fastify gets no logger: it would
    // build a pino child per request (its request-id binding serialised) to write nothing.
    // Fastify's null logger stands in; every line of ours is silent at that level anyway.
    ...(logger.level === 'silent' ? {} : { loggerInstance: logger }),
    bodyLimit: config.http.bodyLimit,
    // Client IPs (rate limits, audit) come from X-Forwarded-For only when it was set by a configured proxy.
    trustProxy: config.http.trustProxy.length > 0 ? config.http.trustProxy : false,
    // Not 'x-request-id': Fastify would then take any inbound value verbatim and skip genReqId,
    // which is where an inbound id is checked before it reaches logs and responses.
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    genReqId: (req) => {
      const inbound = req.headers['x-request-id']
      return typeof inbound === 'string' && SAFE_REQUEST_ID.test(inbound) ? inbound : randomUUID()
    },
    // Requests arriving while the server drains get a 503 problem document (shutdown.ts).
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Errors answered before a route is found are problem documents too (framework-errors.ts).
    routerOptions: { maxParamLength: MAX_PATH_SEGMENT_LENGTH },
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // Each distinct schema compiled once per process (schema-compilers.ts).
    schemaController: { compilersFactory: sharedSchemaCompilers },
    ajv: {
      customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array', useDefaults: true },
      // Ids in their one canonical spelling (uuid-format.ts); onCreate runs after ajv-formats, which plugins would not.
      onCreate: (ajv) => ajv.addFormat('uuid', CANONICAL_UUID),
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App
}

/**
 * Only when some origin is allowed: with none, the plugin's per-request hook and its OPTIONS
 * catch-all would run on every request (about 5 % of a trivial request's CPU) to add nothing.
 * Browsers then see no Access-Control-* field, which is the same refusal.
 */
async function registerCors(app: App, config: Config): Promise<void> {
  if (config.http.corsOrigins.length === 0) return
  await app.register(cors, {
    origin: config.http.corsOrigins,
    credentials: true,
    exposedHeaders: [
      'x-request-id',
      'etag',
      'ratelimit',
      'ratelimit-policy',
      'retry-after',
      'location',
      'idempotent-replayed',
    ],
  })
}

/** Under overload the server answers 503 + Retry-After at once instead of queueing requests into timeouts. */
async function registerLoadShedding(app: App, config: Config): Promise<void> {
  // SHED_MAX_EVENT_LOOP_DELAY_MS=0 turns shedding off.
  if (config.http.shedMaxEventLoopDelayMs <= 0) return
  await app.register(underPressure, {
    maxEventLoopDelay: config.http.shedMaxEventLoopDelayMs,
    retryAfter: 5,
    pressureHandler: (request, reply, type, value) => {
      reply.header('retry-after', '5')
      sendProblem(
        reply,
        buildProblem({
          status: 503,
          code: 'OVERLOADED',
          detail: `The server is overloaded (${type} ${value ?? ''}); retry shortly`,
          requestId: String(request.id),
        }),
      )
    },
  })
}

function declareAccess(route: {
  url: string
  method: string | string[]
  schema?: Record<string, unknown>
  config?: { access?: Access; ownCredentials?: boolean }
}): void {
  const hidden = route.schema?.hide === true
  const access = route.config?.access
  if (!access) {
    if (hidden) return
    throw new Error(`Route ${[route.method].flat().join(',')} ${route.url} declares no access (config.access)`)
  }
  const schema = (route.schema ??= {})
  // A route that checks its own credential (ownCredentials) documents its own security.
  const ownSecurity = route.config?.ownCredentials && schema.security ? { security: schema.security } : {}
  Object.assign(schema, accessDocumentation(access), ownSecurity)
  const response = (schema.response ?? {}) as Record<string, unknown>
  schema.response = {
    ...response,
    '4xx': {
      description: 'Client error (RFC 9457 problem document)',
      content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
    },
    '5xx': {
      description: 'Server error (RFC 9457 problem document)',
      content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
    },
  }
}

interface OpenApiDocument {
  paths?: Record<
    string,
    Record<
      string,
      { requestBody?: { required?: boolean; content?: Record<string, { schema?: Record<string, unknown> }> } }
    >
  >
}

/**
 * @fastify/swagger marks every request body required; a body whose fields are all optional may be
 * left out (acceptBareBodies reads it as `{}`), so the document says so.
 */
function markOptionalBodies(document: OpenApiDocument): OpenApiDocument {
  for (const operations of Object.values(document.paths ?? {}))
    for (const operation of Object.values(operations)) {
      if (onlyOptionalFields(operation.requestBody?.content?.['application/json']?.schema))
        operation.requestBody!.required = false
    }
  return document
}

/**
 * Try-it-out calls go to the origin the document was loaded from ('/', resolved against
 * /openapi.json): on a tenant's host (`demo.localhost:3000/docs`) that is the tenant, so
 * anonymous tenant routes work and no cross-origin request is made. The tenant-host template
 * (scheme and port of PUBLIC_URL, `{tenant}.BASE_DOMAIN`) is there for clients generated from the
 * document.
 */
function documentServers(config: Config) {
  // A hostname cannot hold `{tenant}`: build the URL with a valid label, then swap it in.
  const slugLabel = 'tenant-slug'
  const tenantHost = new URL(config.http.publicUrl)
  tenantHost.hostname = `${slugLabel}.${config.http.baseDomain}`
  return [
    { url: '/', description: 'The origin serving this document (on a tenant host: that tenant)' },
    {
      url: tenantHost.origin.replace(slugLabel, '{tenant}'),
      description: "A tenant's host: anonymous tenant routes are served there",
      variables: { tenant: { default: 'demo', description: "The tenant's slug" } },
    },
  ]
}

async function registerOpenApi(app: App, config: Config): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Lyceum API',
        version: '1.0.0',
        description:
          'Multi-tenant learning platform. Errors are RFC 9457 problem documents; collections are `{ data, nextCursor }`.',
        license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
      },
      servers: documentServers(config),
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description:
              'An access token (EdDSA JWT from member or operator sign-in, or from an impersonation) or an API key (`lyk1_…`)',
          },
        },
      },
    },
    transformObject: (documents) =>
      markOptionalBodies((documents as unknown as { openapiObject: OpenApiDocument }).openapiObject) as never,
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  })
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // Swagger UI sets inline styles its hashes do not cover (Chromium logs the blocked style), and
    // a directive with hashes ignores 'unsafe-inline'. On the /docs pages only, inline styles are
    // allowed; scripts stay 'self' plus the UI's hashes, and API routes keep their own policy.
    transformStaticCSP: (header: string) => header.replace(/style-src [^;]*;/, "style-src 'self' 'unsafe-inline';"),
    // These are documents a browser renders: helmet's document headers, and framing by the same
    // origin as swagger-ui's own frame-ancestors allows.
    uiHooks: {
      onRequest: (_request, reply, done) => {
        reply.headers(DOCUMENT_HEADERS).header('x-frame-options', 'SAMEORIGIN')
        done()
      },
    },
    // Deep links (/docs#/{tag}/{operationId}) open an operation directly, for people sharing a link.
    uiConfig: { url: '/openapi.json', tryItOutEnabled: true, persistAuthorization: true, deepLinking: true },
  })
  app.get(
    '/openapi.json',
    {
      schema: {
        summary: 'OpenAPI 3.1 document of this API',
        tags: ['meta'],
        operationId: 'getOpenApiDocument',
        response: { 200: { description: 'The OpenAPI 3.1 document', type: 'object', additionalProperties: true } },
      },
      config: { access: { kind: 'public' } },
    },
    // The document is plain JSON; its own shape is described by the OpenAPI specification.
    async () => app.swagger() as unknown as Record<string, unknown>,
  )
}
