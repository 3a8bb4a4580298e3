/**
 * Applies rate limits to every request after authentication (it needs `request.ctx`): the route's
 * class (`config: { rateLimit }`, else derived), one unit from the caller's and the tenant's
 * bucket (its quota set by the tenant's plan), the draft-11 `RateLimit-Policy`/`RateLimit` fields on every limited response, and a 429
 * problem document with `Retry-After` once either bucket is spent.
 *
 * Store outage (Redis down): classes that fail open let the request through without a `RateLimit`
 * field and log the outage at most every 10 s; `auth` fails closed with 503 + Retry-After, because
 * unlimited credential guessing is worse than a short login outage.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import type { App } from '../http/app-type.ts'
import type { RequestContext } from '../http/request-context.ts'
import { AppError } from '../errors.ts'
import type { Metrics } from '../observability/metrics.ts'
import { rateLimitFieldOf, rateLimitPolicyField, sfString, type PolicyDescription } from './headers.ts'
import type { BucketKeys, BucketResult, Decision, RateLimiter } from './limiter.ts'
import type { ClassPolicy, RateLimitClass } from './policies.ts'
import { DEFAULT_PLAN, type TenantPlan } from './plans.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's rate-limit class; 'none' exempts it. Default: ops for operator routes, else by method. */
    rateLimit?: RateLimitClass | 'none'
  }
}

export interface RateLimitDeps {
  limiter: RateLimiter
  /** The tenant's plan (tenancy's cached directory, synchronous on a hit): it sets the tenant bucket's quota. */
  planOf: (tenantId: string) => TenantPlan | Promise<TenantPlan>
  metrics: Metrics
  logger: Logger
}

/** Probes, scrapers and documentation must answer even when a caller is throttled. */
const EXEMPT_PATHS = /^\/(?:health(?:\/|$)|metrics$|docs(?:\/|$)|openapi\.json$)/
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const OUTAGE_LOG_INTERVAL_MS = 10_000

export function routeClass(request: FastifyRequest): RateLimitClass | 'none' {
  // One read: Fastify builds routeOptions anew on every access. The config carries the route's url.
  const config = request.routeOptions.config
  if (config.rateLimit) return config.rateLimit
  const url = config.url as string | undefined
  // url is undefined for unknown routes: those are limited too, so probing for routes costs quota.
  if (url !== undefined) {
    if (EXEMPT_PATHS.test(url)) return 'none'
    // Routes without an access declaration are plugin internals the server hides (docs assets, CORS preflight).
    if (!config.access) return 'none'
    if (config.access.kind === 'operator') return 'ops'
  }
  return SAFE_METHODS.has(request.method) ? 'read' : 'write'
}

/**
 * Who spends the quota: the signed-in user, API key or operator, else the client address. A
 * principal is never keyed by address: everyone on a campus network shares one.
 */
export function callerKey(ctx: RequestContext): string {
  const { principal } = ctx
  if (principal.kind === 'user') return `user:${principal.tenantId}:${principal.userId}`
  if (principal.kind === 'operator') return `operator:${principal.operatorId}`
  if (principal.kind === 'api_key') return `api_key:${principal.tenantId}:${principal.keyId}`
  return `ip:${ctx.ip}`
}

function advertisedPolicies(policy: ClassPolicy, keys: BucketKeys): PolicyDescription[] {
  const quota = keys.anonymous ? policy.perAddress : policy.perCaller
  const caller = { name: policy.name, quota, windowSeconds: policy.windowSeconds }
  if (keys.tenant === null) return [caller]
  const tenant = {
    name: `${policy.name}-tenant`,
    quota: policy.perTenant[keys.plan],
    windowSeconds: policy.windowSeconds,
  }
  return [caller, tenant]
}

/** The bucket a client should pace itself by: a spent one (latest reset first), else the one with least left. */
function tightest(buckets: BucketResult[]): BucketResult {
  // One pass, no arrays: it runs on every limited request. Ties keep the first (the caller's) bucket.
  let spent: BucketResult | undefined
  let least = buckets[0]!
  for (const bucket of buckets) {
    if (bucket.exceeded && (spent === undefined || bucket.resetSeconds > spent.resetSeconds)) spent = bucket
    if (bucket.remaining < least.remaining) least = bucket
  }
  return spent ?? least
}

export const rateLimitErrors = {
  exceeded: (rateClass: RateLimitClass, policy: string, retryAfter: number) =>
    new AppError('rate_limited', 'RATE_LIMITED', `Too many ${rateClass} requests; retry in ${retryAfter} s`, {
      retryAfter,
      extensions: { policy },
    }),
  storeUnavailable: (cause: unknown) =>
    new AppError(
      'unavailable',
      'RATE_LIMIT_UNAVAILABLE',
      'Rate limiting is temporarily unavailable, so this operation is refused; retry shortly',
      {
        retryAfter: 5,
        cause,
      },
    ),
}

/** Register right after createHttpServer: the hook must run after the server's own onRequest hook. */
export function registerRateLimits(app: App, deps: RateLimitDeps): void {
  if (!deps.limiter.enabled) return
  let lastOutageLog = 0
  const logOutage = (error: unknown, rateClass: RateLimitClass) => {
    if (Date.now() - lastOutageLog < OUTAGE_LOG_INTERVAL_MS) return
    lastOutageLog = Date.now()
    deps.logger.warn({ err: error, class: rateClass }, 'rate-limit store unavailable; failing open for this class')
  }

  // The advertised policy depends only on class, caller kind, tenant presence and plan: a handful
  // of strings, built once each instead of per request; so are the policy names as sf-strings.
  const policyFields = new Map<string, string>()
  const policyField = (rateClass: RateLimitClass, policy: ClassPolicy, keys: BucketKeys): string => {
    const id = `${rateClass} ${keys.anonymous} ${keys.tenant === null} ${keys.plan}`
    let field = policyFields.get(id)
    if (field === undefined) {
      field = rateLimitPolicyField(advertisedPolicies(policy, keys))
      policyFields.set(id, field)
    }
    return field
  }
  const quotedNames = new Map<string, string>()
  const statusField = (bucket: BucketResult): string => {
    let name = quotedNames.get(bucket.policy)
    if (name === undefined) {
      name = sfString(bucket.policy)
      quotedNames.set(bucket.policy, name)
    }
    return rateLimitFieldOf(name, bucket.remaining, bucket.resetSeconds)
  }

  /** Headers and the verdict of one counted request; an AppError refuses it. */
  const decide = (reply: FastifyReply, rateClass: RateLimitClass, decision: Decision): AppError | undefined => {
    const policy = deps.limiter.policies[rateClass]
    if (decision.kind === 'store-unavailable') {
      if (policy.onStoreFailure === 'closed') return rateLimitErrors.storeUnavailable(decision.error)
      logOutage(decision.error, rateClass)
      return undefined
    }
    const reported = tightest(decision.buckets)
    reply.header('ratelimit', statusField(reported))
    if (!reported.exceeded) return undefined
    deps.metrics.rateLimitRejections.inc({ class: rateClass })
    return rateLimitErrors.exceeded(rateClass, reported.policy, reported.resetSeconds)
  }

  const count = (
    request: FastifyRequest,
    reply: FastifyReply,
    done: (error?: Error) => void,
    rateClass: RateLimitClass,
    plan: TenantPlan,
  ): void => {
    const { tenantId, principal } = request.ctx
    const keys: BucketKeys = {
      caller: callerKey(request.ctx),
      anonymous: principal.kind === 'anonymous',
      tenant: tenantId,
      plan,
    }
    reply.header('ratelimit-policy', policyField(rateClass, deps.limiter.policies[rateClass], keys))
    const decision = deps.limiter.consume(rateClass, keys)
    if (decision instanceof Promise) decision.then((counted) => done(decide(reply, rateClass, counted)), done)
    else done(decide(reply, rateClass, decision))
  }

  // Callback-style: with the in-process counters and the tenant's plan cached (nearly every
  // request) it decides synchronously, with no promise and microtask per request.
  app.addHook('onRequest', (request, reply, done) => {
    const rateClass = routeClass(request)
    if (rateClass === 'none') return done()
    const { tenantId } = request.ctx
    const plan = tenantId === null ? DEFAULT_PLAN : deps.planOf(tenantId)
    if (plan instanceof Promise) plan.then((known) => count(request, reply, done, rateClass, known), done)
    else count(request, reply, done, rateClass, plan)
  })
}
