/**
 * Request-scoped log bindings. Fastify's child logger already carries the request id; once the
 * principal and tenant are known, every later line of the request (handler logs, errors and
 * "request completed") also names the tenant and the user or operator.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RequestContext } from '../http/request-context.ts'

export function requestLogBindings(ctx: RequestContext): Record<string, string | null> {
  const { principal } = ctx
  if (principal.kind === 'user') {
    // While impersonating, both identities: the user acted as and who really acts (act.sub).
    if (principal.actor) return { tenantId: ctx.tenantId, userId: principal.userId, impersonator: principal.actor.sub }
    return { tenantId: ctx.tenantId, userId: principal.userId }
  }
  if (principal.kind === 'operator') return { tenantId: ctx.tenantId, operatorId: principal.operatorId }
  if (principal.kind === 'api_key') return { tenantId: ctx.tenantId, apiKeyId: principal.keyId }
  return { tenantId: ctx.tenantId }
}

/**
 * Rebinds both loggers: Fastify logs completion through `reply.log`, handlers use `request.log`.
 * With logging off (LOG_LEVEL=silent, as in `npm run bench`) no line can carry the bindings, so
 * the pino child, which serialises them per request, is not built. (The server then gives
 * Fastify no logger at all; its stand-in has no level.)
 */
export function bindRequestLog(request: FastifyRequest, reply: FastifyReply): void {
  const level = request.log.level as string | undefined
  if (level === 'silent' || level === undefined) return
  const log = request.log.child(requestLogBindings(request.ctx))
  request.log = log
  reply.log = log
}
