/**
 * Every request made with an impersonation token is audited with both identities: the member
 * acted as (actor) and who really acts (impersonator, from the act claim), the route, the path
 * without its query string, and the status. Written before the answer leaves (onSend), so a
 * client never sees the outcome of an impersonated request that left no trace.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { App } from '../../../platform/http/server.ts'

function outcomeOf(status: number): 'success' | 'failure' | 'denied' {
  if (status < 400) return 'success'
  return status === 401 || status === 403 ? 'denied' : 'failure'
}

/** Installs the hook on the root instance, before routes register. */
export function registerImpersonationRequestAudit(app: App): void {
  // Callback-style: a request made without impersonation (nearly all) passes synchronously, with no promise.
  app.addHook('onSend', (request, reply, payload, done) => {
    // No context: authentication itself failed (an ended impersonation's token is refused before this).
    const ctx = request.ctx as typeof request.ctx | undefined
    if (
      ctx === undefined ||
      ctx.principal.kind !== 'user' ||
      ctx.principal.actor === undefined ||
      ctx.tenantId === null
    )
      return done(null, payload)
    auditImpersonatedRequest(request, reply, ctx).then(() => done(null, payload), done)
  })
}

async function auditImpersonatedRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: FastifyRequest['ctx'],
): Promise<void> {
  const { method } = request
  const status = reply.statusCode
  const route = request.routeOptions.url ?? 'unmatched'
  const path = request.url.split('?')[0] ?? ''
  try {
    await ctx.inTenant((tx) =>
      recordAudit(tx, ctx, {
        action: 'impersonation.request',
        targetType: 'route',
        targetId: `${method} ${route}`,
        outcome: outcomeOf(status),
        details: {
          method,
          path,
          status,
          impersonationId: ctx.principal.kind === 'user' ? (ctx.principal.actor?.impersonationId ?? null) : null,
        },
      }),
    )
  } catch (error) {
    // The request's own work is already done; an unwritable audit entry must be loud, not a second failure.
    request.log.error({ err: error, route, status }, 'could not audit a request made while impersonating')
  }
}
