/**
 * GET /v1/me with a member's access token: the per-request cost of the platform on a trivial
 * authenticated route (issue 10, point 4: ≥ 0.6x). The reference is a bare Fastify answering the
 * same JSON body after the same token verification (the app's own PrincipalTokens.verify, with
 * its session check, which a warm token answers from the caches of ADR 0018), so the gap is what
 * the app adds around it: headers, request context, rate limits, logging, metrics. The handler has
 * no read of its own: the session check's profile answers it.
 */
import Fastify from 'fastify'
import type { BenchFlow, FlowContext } from '../scenario.ts'
import { fixed, openLoad, type OpenLoadResult } from './overload-support.ts'

const TARGET_RATIO = 0.6
const ROUNDS = 3

async function startBare(context: FlowContext, body: unknown) {
  const bare = Fastify({ logger: false })
  const tokens = context.lyceum.platform.tokens
  bare.get('/bare/me', async (request, reply) => {
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')
    if (!match?.[1]) return reply.code(401).send({ code: 'INVALID_AUTHORIZATION' })
    await tokens.verify(match[1])
    return body
  })
  return { bare, url: await bare.listen({ host: '127.0.0.1', port: 0 }) }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

export const meFlow: BenchFlow = {
  name: 'me',
  async run(context) {
    const token = await context.tokenFor(['learner'])
    const headers = { authorization: `Bearer ${token}` }
    const appUrl = `${context.baseUrl}/v1/me`
    const first = await fetch(appUrl, { headers })
    if (first.status !== 200) throw new Error(`GET /v1/me answered ${first.status}: ${await first.text()}`)
    const { bare, url } = await startBare(context, await first.json())
    try {
      const load = { connections: context.connections, seconds: context.seconds, headers }
      const results: Record<'app' | 'bare', OpenLoadResult[]> = { app: [], bare: [] }
      await openLoad({ ...load, url: appUrl, seconds: 2 })
      await openLoad({ ...load, url: `${url}/bare/me`, seconds: 2 })
      for (let round = 1; round <= ROUNDS; round++) {
        const order = round % 2 === 1 ? (['app', 'bare'] as const) : (['bare', 'app'] as const)
        for (const target of order) {
          const result = await openLoad({ ...load, url: target === 'app' ? appUrl : `${url}/bare/me` })
          results[target].push(result)
          context.write(
            `me/${target} round ${round}: ${Math.round(result.requestsPerSecond)} req/s, p99 ${result.p99} ms, statuses ${JSON.stringify(result.statusCodes)}\n`,
          )
        }
      }
      const app = median(results.app.map((r) => r.requestsPerSecond))
      const reference = median(results.bare.map((r) => r.requestsPerSecond))
      const ratio = app / reference
      const p99 = (target: 'app' | 'bare') => median(results[target].map((r) => r.p99))
      context.write(
        `me: app ${Math.round(app)} req/s (p99 ${p99('app')} ms), bare + same verification ${Math.round(reference)} req/s ` +
          `(p99 ${p99('bare')} ms), ratio ${fixed(ratio)} (target ≥ ${TARGET_RATIO})\n`,
      )
      const clean = [...results.app, ...results.bare].every(
        (r) => r.errors + r.timeouts === 0 && Object.keys(r.statusCodes).every((code) => code === '200'),
      )
      return clean && ratio >= TARGET_RATIO
    } finally {
      await bare.close()
    }
  },
}
