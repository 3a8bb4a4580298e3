/**
 * Feature flags: declared in code with defaults (flags.catalogue.ts), overridden per tenant over
 * the API (every change audited), evaluated for route gates, host resolution and client apps.
 * Owns the `flags` schema.
 */
import { flagsRoutes } from './flags.routes.ts'
import { createFlagsService, type FlagsDeps } from './flags.service.ts'

export { FLAG_CATALOGUE, type FlagKey } from './flags.catalogue.ts'
/**
 * The evaluator is built on its own, before the module: tenancy (which this module depends on)
 * consults it when resolving custom domains, so the composition root builds it first.
 */
export { createFlagEvaluator, type FlagEvaluator } from './flags.evaluator.ts'

export function createFlagsModule(deps: FlagsDeps) {
  const service = createFlagsService(deps)
  return {
    evaluator: deps.evaluator,
    routes: flagsRoutes(service),
  }
}

export type FlagsModule = ReturnType<typeof createFlagsModule>
