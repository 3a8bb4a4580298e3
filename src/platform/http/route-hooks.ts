/**
 * Route-level lifecycle hooks added by the platform from an onRoute hook. A global hook runs on
 * every request, and an async one costs each a promise and a microtask even where it has nothing
 * to do; a hook that only matters for some routes is attached to those routes instead.
 *
 * Fastify runs all global hooks of a phase before the route's own, so a platform hook attached
 * here runs after every global hook of its phase. Platform hooks are kept ahead of the route's
 * own ones, in the order they were attached, as they ran when they were global. The array is
 * replaced, never mutated: Fastify copies a GET route's options for its HEAD twin before the
 * onRoute hooks run, and a shared array would receive the hook twice.
 */
const platformHooks = new WeakSet<object>()

type Phase = 'onRequest' | 'preHandler' | 'onSend'

// Fastify's onRoute options type each phase differently; the hooks added here are typed where they are written.
type RouteHooks = Partial<Record<Phase, unknown>>

export function attachRouteHook(route: RouteHooks, phase: Phase, hook: (...args: never[]) => unknown): void {
  const current = route[phase]
  const existing: unknown[] = current === undefined || current === null ? [] : [current].flat()
  let at = 0
  while (at < existing.length && platformHooks.has(existing[at] as object)) at++
  platformHooks.add(hook)
  route[phase] = [...existing.slice(0, at), hook, ...existing.slice(at)]
}
