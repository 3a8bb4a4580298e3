import Fastify from 'fastify'
import { pino } from 'pino'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { RequestContext } from '../http/request-context.ts'
import { bindRequestLog } from './request-log.ts'

const ctx = {
  tenantId: 't-1',
  principal: { kind: 'anonymous' },
} as unknown as RequestContext

async function linesAt(level: string): Promise<{ lines: Array<Record<string, unknown>>; bindings: unknown }> {
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>)
      done()
    },
  })
  const server = Fastify({ loggerInstance: pino({ level }, sink) })
  server.addHook('onRequest', (request, reply, done) => {
    request.ctx = ctx
    bindRequestLog(request, reply)
    done()
  })
  server.get('/', async (request) => {
    request.log.info('handled')
    return request.log.bindings()
  })
  const response = await server.inject({ method: 'GET', url: '/' })
  expect(response.statusCode).toBe(200)
  await server.close()
  return { lines, bindings: response.json() }
}

describe('bindRequestLog', () => {
  it('names the tenant on the handler’s lines and on the completion line', async () => {
    const { lines, bindings } = await linesAt('info')
    expect(bindings).toMatchObject({ tenantId: 't-1' })
    expect(lines.find((line) => line.msg === 'handled')).toMatchObject({ tenantId: 't-1' })
    expect(lines.find((line) => line.msg === 'request completed')).toMatchObject({ tenantId: 't-1' })
  })

  it('builds no child logger when logging is off', async () => {
    const { lines, bindings } = await linesAt('silent')
    expect(lines).toEqual([])
    expect(bindings).not.toHaveProperty('tenantId')
  })
})
