/**
 * Route-level feature gates. A route names the flag that gates its capability
 * (`config: { flag: 'tenancy.public_site' }`); after access is enforced, a disabled capability
 * answers 403 FEATURE_DISABLED naming the flag. The platform knows no flags itself: the module
 * that declares them supplies the evaluator from the composition root.
 */
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'
import type { App } from './app-type.ts'
import { attachRouteHook } from './route-hooks.ts'

export interface FeatureEvaluator {
  /** Whether `key` is a declared flag; a route naming an unknown flag refuses to register. */
  declares(key: string): boolean
  /** The effective value for a tenant (its override, else the default); null = the default. */
  isEnabled(tenantId: string | null, key: string): Promise<boolean>
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Key of the feature flag that must be enabled for the request's tenant. */
    flag?: string
  }
}

export const featureDisabled = (flag: string) =>
  new AppError('forbidden', 'FEATURE_DISABLED', `The capability "${flag}" is disabled for this tenant`, {
    extensions: { flag },
  })

/**
 * Installs the gate. Call before any gated route is registered (the onRoute check must see them)
 * and after the server's own onRequest hook, so authentication and access run first. The check is
 * a route-level onRequest hook of gated routes only (route-hooks.ts), so it runs after every
 * global onRequest hook (the rate limit among them), where the global hook it replaces ran.
 */
export function registerFeatureGate(app: App, evaluator: FeatureEvaluator): void {
  app.addHook('onRoute', (route) => {
    const flag = route.config?.flag
    if (flag === undefined) return
    if (!evaluator.declares(flag))
      throw new Error(`Route ${[route.method].flat().join(',')} ${route.url} is gated by an undeclared flag "${flag}"`)
    const schema = (route.schema ??= {}) as Record<string, unknown>
    schema['x-feature-flag'] = flag
    const note = `Gated by the feature flag \`${flag}\`: while it is off for the tenant, the answer is 403 FEATURE_DISABLED.`
    schema.description = typeof schema.description === 'string' ? `${schema.description}\n\n${note}` : note
    attachRouteHook(route, 'onRequest', async (request: FastifyRequest) => {
      if (!(await evaluator.isEnabled(request.ctx.tenantId, flag))) throw featureDisabled(flag)
    })
  })
}
