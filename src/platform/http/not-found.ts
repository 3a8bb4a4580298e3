/**
 * 404 for unknown paths, 405 (with Allow) for known paths called with another method. Fastify's
 * router answers 404 for both, so a shadow router built from the route table tells them apart.
 * TRACE is never routed, so it always ends here, as a 405.
 */
import FindMyWay, { type HTTPMethod } from 'find-my-way'
import type { App } from './app-type.ts'
import { buildProblem, sendProblem } from './problem.ts'
import { MAX_PATH_SEGMENT_LENGTH } from './framework-errors.ts'

export function registerNotFound(app: App): void {
  const shadow = FindMyWay({ ignoreTrailingSlash: false, maxParamLength: MAX_PATH_SEGMENT_LENGTH })
  const methods = new Set<string>()
  app.addHook('onRoute', (route) => {
    // Catch-all routes (CORS answers preflight on OPTIONS *) match every path: they would turn every 404 into a 405.
    if (route.url === '*' || route.url === '/*') return
    for (const method of [route.method].flat()) {
      methods.add(method)
      try {
        shadow.on(method as HTTPMethod, route.url, () => {})
      } catch {
        // The same method and path registered twice (e.g. inside an encapsulated plugin): already known.
      }
    }
  })
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/'
    const allowed = [...methods].filter((m) => shadow.find(m as HTTPMethod, path) !== null)
    const requestId = String(request.id)
    // TRACE would echo requests (credentials included) back to scripts: it is refused as a method everywhere.
    if (allowed.length > 0 || request.method === 'TRACE') {
      reply.header('allow', allowed.join(', '))
      return sendProblem(
        reply,
        buildProblem({
          status: 405,
          code: 'METHOD_NOT_ALLOWED',
          detail: `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ') || 'none'}`,
          requestId,
          instance: path,
        }),
      )
    }
    return sendProblem(
      reply,
      buildProblem({
        status: 404,
        code: 'ROUTE_NOT_FOUND',
        detail: `No route ${request.method} ${path}`,
        requestId,
        instance: path,
      }),
    )
  })
}
