/**
 * /health/live, /health/ready and /metrics. Health is public so orchestrators can probe it, but
 * the public readiness answer is its status only: the per-dependency detail (hosts, paths, pool
 * figures, migration counts) is for a platform operator's access token or METRICS_TOKEN.
 * /metrics is guarded by its own bearer token (METRICS_TOKEN, required in production) because
 * scrapers are neither tenant members nor operators.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { Type } from 'typebox'
import { AppError } from '../errors.ts'
import { publicAccess } from '../http/access.ts'
import type { App } from '../http/app-type.ts'
import type { PrincipalTokens } from '../http/principal.ts'
import type { HealthRegistry } from './health.ts'
import type { Metrics } from './metrics.ts'

export interface ObservabilityRouteDeps {
  health: HealthRegistry
  metrics: Metrics
  /** When set, /metrics requires `Authorization: Bearer <token>`. */
  metricsToken: string | undefined
  /** Verifies an operator's access token (readiness details). */
  tokens: PrincipalTokens
}

const CheckReport = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('failing'), Type.Literal('disabled')]),
    detail: Type.Optional(Type.String()),
    durationMs: Type.Integer({ minimum: 0 }),
    critical: Type.Boolean({ description: 'Whether a failure of this dependency makes the process not ready' }),
  },
  { $id: 'HealthCheckReport', additionalProperties: false },
)
const Checks = Type.Record(Type.String(), Type.Ref('HealthCheckReport'), { description: 'One entry per dependency' })
const Liveness = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false })
const Readiness = Type.Object(
  {
    status: Type.Literal('ready'),
    checks: Type.Optional({ ...Checks, description: 'Only for an operator access token or METRICS_TOKEN' }),
  },
  { additionalProperties: false },
)
const RETRY_AFTER_SECONDS = 5

function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

function bearerOf(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined
  const given = /^Bearer (\S{1,4096})$/.exec(authorization)?.[1]
  if (!given) throw new AppError('unauthenticated', 'INVALID_AUTHORIZATION', 'Use "Authorization: Bearer <token>"')
  return given
}

/**
 * Whether the caller may read readiness details: none without a credential; METRICS_TOKEN
 * (compared in constant time) or a platform operator's access token. Any other credential is
 * refused rather than silently answered with less: a monitor with a wrong token learns so.
 */
async function mayReadDetails(
  authorization: string | undefined,
  deps: Pick<ObservabilityRouteDeps, 'metricsToken' | 'tokens'>,
): Promise<boolean> {
  const bearer = bearerOf(authorization)
  if (bearer === undefined) return false
  if (deps.metricsToken && sameToken(bearer, deps.metricsToken)) return true
  const principal = await deps.tokens.verify(bearer)
  if (principal.kind === 'operator') return true
  throw new AppError(
    'forbidden',
    'OPERATOR_REQUIRED',
    'Readiness details are for platform operators and METRICS_TOKEN; anonymous callers get the status only',
  )
}

function assertMetricsToken(authorization: string | undefined, token: string): void {
  const given = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1]
  if (given && sameToken(given, token)) return
  throw new AppError(
    'unauthenticated',
    'METRICS_TOKEN_REQUIRED',
    'Send "Authorization: Bearer <METRICS_TOKEN>" to read metrics',
    {
      headers: { 'www-authenticate': 'Bearer realm="metrics"' },
    },
  )
}

/** Status only for anonymous callers; with operator access or METRICS_TOKEN, the checks too (also on 503). */
async function readiness(authorization: string | undefined, deps: ObservabilityRouteDeps) {
  const details = await mayReadDetails(authorization, deps)
  const checks = await deps.health.run()
  const failing = Object.entries(checks).filter(([, check]) => check.status === 'failing' && check.critical)
  if (failing.length === 0) return details ? { status: 'ready' as const, checks } : { status: 'ready' as const }
  if (!details)
    throw new AppError('unavailable', 'NOT_READY', 'Not ready: a dependency is failing', {
      retryAfter: RETRY_AFTER_SECONDS,
    })
  const summary = failing.map(([name, check]) => `${name} (${check.detail ?? 'failing'})`).join('; ')
  throw new AppError('unavailable', 'NOT_READY', `Not ready: ${summary}`, {
    retryAfter: RETRY_AFTER_SECONDS,
    extensions: { checks },
  })
}

export function observabilityRoutes(deps: ObservabilityRouteDeps) {
  return async function routes(app: App) {
    app.addSchema(CheckReport)

    app.get(
      '/health/live',
      {
        schema: {
          summary: 'Liveness: the process is up',
          tags: ['health'],
          operationId: 'getLiveness',
          response: { 200: Liveness },
        },
        config: { access: publicAccess(), rateLimit: 'none' },
      },
      async () => ({ status: 'ok' as const }),
    )

    app.get(
      '/health/ready',
      {
        schema: {
          summary: 'Readiness: every dependency answers',
          description:
            'Runs each registered check (database, migrations, job worker, Redis, SMTP, storage). Anonymous callers get the status only (`{"status":"ready"}`, or 503 NOT_READY); a platform operator\'s access token or `Authorization: Bearer <METRICS_TOKEN>` also gets `checks`, the per-dependency detail (also on the 503).',
          tags: ['health'],
          operationId: 'getReadiness',
          // Optional credential: none (status only), an operator access token or METRICS_TOKEN (details).
          security: [{}, { bearerAuth: [] }],
          response: {
            200: Readiness,
            503: {
              description:
                'Not ready: a problem document (code NOT_READY); with operator access or METRICS_TOKEN it also carries `checks`',
              content: {
                'application/problem+json': {
                  schema: Type.Intersect([
                    Type.Unsafe({ $ref: 'Problem#' }),
                    Type.Object({ checks: Type.Optional(Checks) }),
                  ]),
                },
              },
            },
          },
        },
        // The route reads its own credential: METRICS_TOKEN is no principal token.
        config: { access: publicAccess(), ownCredentials: true, rateLimit: 'none' },
      },
      (request) => readiness(request.headers.authorization, deps),
    )

    app.get(
      '/metrics',
      {
        schema: {
          summary: 'Prometheus metrics',
          description: deps.metricsToken
            ? 'Prometheus text format. Requires `Authorization: Bearer <METRICS_TOKEN>` (not a principal token).'
            : 'Prometheus text format. Open because METRICS_TOKEN is not set (development/test); production requires it.',
          tags: ['ops'],
          operationId: 'getMetrics',
          security: deps.metricsToken ? [{ bearerAuth: [] }] : [],
          response: {
            200: {
              description: 'Prometheus text exposition format',
              content: { 'text/plain': { schema: Type.String() } },
            },
          },
        },
        config: { access: publicAccess(), ownCredentials: true, rateLimit: 'none' },
      },
      async (request, reply) => {
        if (deps.metricsToken) assertMetricsToken(request.headers.authorization, deps.metricsToken)
        return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.collect())
      },
    )
  }
}
