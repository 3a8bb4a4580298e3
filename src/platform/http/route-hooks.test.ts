import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { attachRouteHook } from './route-hooks.ts'

describe('attachRouteHook', () => {
  const servers: Array<ReturnType<typeof Fastify>> = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()))
  })

  it('runs platform hooks after global ones, in attachment order, before the route’s own, once on a GET’s HEAD twin', async () => {
    const server = Fastify()
    servers.push(server)
    const calls: string[] = []
    const hook = (name: string) => (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
      calls.push(`${request.method} ${name}`)
      done()
    }
    server.addHook('preHandler', hook('global'))
    server.addHook('onRoute', (route) => {
      if (route.url === '/marked') attachRouteHook(route, 'preHandler', hook('first'))
    })
    server.addHook('onRoute', (route) => {
      if (route.url === '/marked') attachRouteHook(route, 'preHandler', hook('second'))
    })
    server.get('/marked', { preHandler: [hook('own')] }, async () => ({ ok: true }))
    server.get('/plain', async () => ({ ok: true }))

    expect((await server.inject({ method: 'GET', url: '/marked' })).statusCode).toBe(200)
    expect((await server.inject({ method: 'HEAD', url: '/marked' })).statusCode).toBe(200)
    expect((await server.inject({ method: 'GET', url: '/plain' })).statusCode).toBe(200)
    expect(calls).toEqual([
      'GET global',
      'GET first',
      'GET second',
      'GET own',
      'HEAD global',
      'HEAD first',
      'HEAD second',
      'HEAD own',
      'GET global',
    ])
  })
})
