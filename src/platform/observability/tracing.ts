/**
 * OpenTelemetry traces, started only when OTEL_EXPORTER_OTLP_ENDPOINT is set (an exporter with
 * nowhere to send costs seconds at shutdown). Auto-instrumentation patches modules at load time,
 * which the ESM + tsx loader does not reliably allow, so the server span of each request is
 * built here from Fastify's hooks: it continues an inbound W3C `traceparent`, is named after the
 * route template, and carries the tenant and request id.
 */
import {
  context,
  diag,
  DiagLogLevel,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import type { App } from '../http/app-type.ts'
import type { RequestContext } from '../http/request-context.ts'
import { scrubText } from './redaction.ts'

export interface TracingOptions {
  /** OTLP/HTTP base URL; spans go to `<endpoint>/v1/traces` as JSON. */
  endpoint: string
  serviceName: string
  /** Bounds each export, so shutdown never hangs on an absent collector. */
  exportTimeoutMs?: number
}

export interface Tracing {
  /** Adds the hooks that record one server span per request. */
  instrument(app: App): void
  /** Flushes buffered spans (bounded by the export timeout) and unregisters the provider. */
  shutdown(): Promise<void>
}

export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`
}

export function createTracing(options: TracingOptions, logger: Logger): Tracing {
  const timeout = options.exportTimeoutMs ?? 3_000
  const exporter = new OTLPTraceExporter({ url: tracesUrl(options.endpoint), timeoutMillis: timeout })
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter, { exportTimeoutMillis: timeout })],
  })
  // Registers the W3C trace-context propagator and makes the provider available to libraries.
  provider.register()
  const otelLog = logger.child({ component: 'opentelemetry' })
  diag.setLogger(
    {
      error: (message) => otelLog.warn(message),
      warn: (message) => otelLog.warn(message),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.WARN,
  )
  const tracer = provider.getTracer('lyceum')
  return {
    instrument: (app) => addSpanHooks(app, tracer),
    async shutdown() {
      try {
        await provider.shutdown()
      } catch (error) {
        logger.warn({ err: error }, 'could not flush traces at shutdown')
      } finally {
        trace.disable()
        propagation.disable()
        context.disable()
        diag.disable()
      }
    },
  }
}

function addSpanHooks(app: App, tracer: Tracer): void {
  const failures = new WeakMap<FastifyRequest, Error>()
  // Callback-style: both are synchronous, so no promise per request.
  app.addHook('onError', (request, _reply, error, done) => {
    failures.set(request, error)
    done()
  })
  app.addHook('onResponse', (request, reply, done) => {
    recordServerSpan(tracer, request, reply, failures.get(request))
    done()
  })
}

function recordServerSpan(
  tracer: Tracer,
  request: FastifyRequest,
  reply: FastifyReply,
  error: Error | undefined,
): void {
  const end = Date.now()
  const route = request.routeOptions.url
  // ctx is absent when authentication failed before it was built.
  const ctx = request.ctx as RequestContext | undefined
  const status = reply.statusCode
  const parent = propagation.extract(ROOT_CONTEXT, request.headers)
  const span = tracer.startSpan(
    route ? `${request.method} ${route}` : request.method,
    {
      kind: SpanKind.SERVER,
      startTime: end - reply.elapsedTime,
      attributes: {
        'http.request.method': request.method,
        'http.response.status_code': status,
        'url.scheme': request.protocol,
        'network.protocol.version': request.raw.httpVersion,
        'lyceum.request_id': String(request.id),
        ...(route ? { 'http.route': route } : {}),
        ...(ctx?.tenantId ? { 'lyceum.tenant_id': ctx.tenantId } : {}),
      },
    },
    parent,
  )
  if (status >= 500) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` })
    if (error) span.recordException({ name: error.name, message: scrubText(error.message) }, end)
  }
  span.end(end)
}
