import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { trace } from '@opentelemetry/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'

interface OtlpAttribute {
  key: string
  value: { stringValue?: string; intValue?: string | number }
}
interface OtlpSpan {
  traceId: string
  parentSpanId?: string
  name: string
  kind: number
  attributes: OtlpAttribute[]
  status: { code?: number }
}
interface OtlpExport {
  resourceSpans: Array<{ resource: { attributes: OtlpAttribute[] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>
}

/** A minimal OTLP/HTTP JSON receiver standing in for a collector. */
function startReceiver() {
  const exports: OtlpExport[] = []
  const server = http.createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    request.on('end', () => {
      if (
        request.method === 'POST' &&
        request.url === '/v1/traces' &&
        request.headers['content-type']?.includes('application/json')
      ) {
        exports.push(JSON.parse(body) as OtlpExport)
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      } else response.writeHead(404).end()
    })
  })
  return { server, exports }
}

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue))
}

const receiver = startReceiver()
let t: TestApp
let closed = false
let endpoint: string

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`
  t = await buildTestApp({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'lyceum-trace-test' } })
})
afterAll(async () => {
  if (!closed) await t?.close()
  await new Promise((resolve) => receiver.server.close(resolve))
})

describe('OpenTelemetry traces', () => {
  it('exports one server span per request, named by route template, when the app closes', async () => {
    const tenant = await t.createTenant()
    const inboundTrace = '4bf92f3577b34da6a3ce929d0e0e4736'
    const ok = await t.app.inject({
      method: 'GET',
      url: `/v1/tenants/${tenant.id}`,
      headers: { ...t.auth(t.operatorToken), traceparent: `00-${inboundTrace}-00f067aa0ba902b7-01` },
    })
    expect(ok.statusCode).toBe(200)
    let healthy = true
    t.platform.health.register('flaky', async () =>
      healthy ? { status: 'ok' } : { status: 'failing', detail: 'down' },
    )
    healthy = false
    expect((await t.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503)
    // Closing flushes the batch processor: the export must have arrived by the time it resolves.
    await t.close()
    closed = true

    const spans = receiver.exports.flatMap((e) => e.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)))
    const resource = receiver.exports[0]?.resourceSpans[0]?.resource.attributes.find((a) => a.key === 'service.name')
    expect(resource?.value.stringValue).toBe('lyceum-trace-test')

    const tenantSpan = spans.find((s) => s.name === 'GET /v1/tenants/:tenantId')
    expect(tenantSpan).toBeDefined()
    expect(tenantSpan!.kind).toBe(2) // SERVER
    expect(tenantSpan!.traceId).toBe(inboundTrace)
    expect(tenantSpan!.parentSpanId).toBe('00f067aa0ba902b7')
    expect(attribute(tenantSpan!, 'http.route')).toBe('/v1/tenants/:tenantId')
    expect(attribute(tenantSpan!, 'http.request.method')).toBe('GET')
    expect(attribute(tenantSpan!, 'http.response.status_code')).toBe(200)
    expect(attribute(tenantSpan!, 'lyceum.request_id')).toBe(ok.headers['x-request-id'])
    expect(tenantSpan!.status.code ?? 0).toBe(0)

    const createSpan = spans.find((s) => s.name === 'POST /v1/tenants')
    expect(attribute(createSpan!, 'http.response.status_code')).toBe(201)

    const readySpan = spans.find((s) => s.name === 'GET /health/ready')
    expect(attribute(readySpan!, 'http.response.status_code')).toBe(503)
    expect(readySpan!.status.code).toBe(2) // ERROR
  })

  it('unregisters the tracer provider at shutdown', () => {
    expect(trace.getTracer('after-close').startSpan('probe').isRecording()).toBe(false)
  })

  it('closes without hanging when the collector is unreachable', async () => {
    const unreachable = await buildTestApp({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' } })
    expect((await unreachable.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200)
    await expect(unreachable.close()).resolves.toBeUndefined()
  })
})

describe('without an OTLP endpoint', () => {
  it('starts no tracer provider', async () => {
    const plain = await buildTestApp()
    try {
      await plain.app.inject({ method: 'GET', url: '/health/live' })
      expect(trace.getTracer('plain').startSpan('probe').isRecording()).toBe(false)
    } finally {
      await plain.close()
    }
  })
})
