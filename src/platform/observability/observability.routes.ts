/**
 * /health/live, /health/ready and /metrics. Health is public so orchestrators can probe it;
 * /metrics is guarded by its own bearer token (METRICS_TOKEN, required in production) because
 * scrapers are neither tenant members nor operators.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { Type } from 'typebox'
import { AppError } from '../errors.ts'
import { publicAccess } from '../http/access.ts'
import type { App } from '../http/app-type.ts'
import type { HealthRegistry } from './health.ts'
import type { Metrics } from './metrics.ts'

export interface ObservabilityRouteDeps {
  health: HealthRegistry
  metrics: Metrics
  /** When set, /metrics requires `Authorization: Bearer <token>`. */
  metricsToken: string | undefined
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
const Readiness = Type.Object({ status: Type.Literal('ready'), checks: Checks }, { additionalProperties: false })
const RETRY_AFTER_SECONDS = 5

function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
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
            'Runs each registered check (database, migrations, job worker, Redis, SMTP, storage). 503 with the same per-check detail when any check fails.',
          tags: ['health'],
          operationId: 'getReadiness',
          response: {
            200: Readiness,
            503: {
              description: 'Not ready: a problem document (code NOT_READY) that also carries `checks`',
              content: {
                'application/problem+json': {
                  schema: Type.Intersect([Type.Unsafe({ $ref: 'Problem#' }), Type.Object({ checks: Checks })]),
                },
              },
            },
          },
        },
        config: { access: publicAccess(), rateLimit: 'none' },
      },
      async () => {
        const checks = await deps.health.run()
        const failing = Object.entries(checks).filter(([, check]) => check.status === 'failing' && check.critical)
        if (failing.length === 0) return { status: 'ready' as const, checks }
        const summary = failing.map(([name, check]) => `${name} (${check.detail ?? 'failing'})`).join('; ')
        throw new AppError('unavailable', 'NOT_READY', `Not ready: ${summary}`, {
          retryAfter: RETRY_AFTER_SECONDS,
          extensions: { checks },
        })
      },
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
