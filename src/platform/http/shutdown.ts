/**
 * Answers while the server drains. Fastify's own answer to a request that arrives while it
 * closes (`return503OnClosing`) is a bare application/json 503; this one is a problem document,
 * 503 SHUTTING_DOWN with Retry-After, so a client or load balancer retries elsewhere.
 *
 * Fastify closes only idle connections on close(); a keep-alive connection whose request was in
 * flight would stay open until keepAliveTimeout (72 s) and hold up the shutdown, so every answer
 * sent while draining closes its connection.
 */
import type { App } from './app-type.ts'
import { buildProblem, sendProblem } from './problem.ts'

/** Register after the security headers and CORS (their onRequest hooks still apply) and before any credential check. */
export function registerShutdownAnswers(app: App): void {
  let draining = false
  app.addHook('preClose', async () => {
    draining = true
  })
  // Callback-style: outside a drain both hooks answer synchronously, with no promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    if (!draining) return done()
    reply.header('retry-after', '5')
    sendProblem(
      reply,
      buildProblem({
        status: 503,
        code: 'SHUTTING_DOWN',
        detail: 'This server is shutting down; retry the request',
        requestId: String(request.id),
      }),
    )
  })
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close')
    done(null, payload)
  })
}
