/**
 * Every event a client sends passes here, in order: the connection's rate budget, a registered
 * event name, one payload valid against the event's TypeBox schema, then the handler. Whatever
 * happens the client gets an acknowledgement (`{ ok: true, data? }` or `{ ok: false, error }` with
 * a problem document) — or, when it sent no ack callback, a `problem` event — and the process never
 * sees an exception. A client that keeps being refused is disconnected.
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { AppError, isAppError, type FieldError } from '../errors.ts'
import { buildProblem, type Problem } from '../http/problem.ts'
import { findUnstorableValue, unstorableValueError } from '../http/input-guard.ts'
import type { Metrics } from '../observability/metrics.ts'
import { joinedRooms, type Connections, type LiveConnection } from './connections.ts'
import { fieldErrors, type Registry } from './registry.ts'
import type { Ack } from './realtime.types.ts'

export interface DispatchDeps {
  registry: Registry
  connections: Connections
  metrics: Metrics
  logger: Logger
  /** Closes a connection for a reason (metrics label). */
  drop(connection: LiveConnection, reason: string): void
  /** Handlers still running; the gateway waits for them when it closes. */
  inflight: Set<Promise<unknown>>
}

type AckFn = (ack: Ack) => void

export function problemOf(error: AppError, requestId: string): Problem {
  return buildProblem({
    status: error.status,
    code: error.code,
    detail: error.message,
    requestId,
    ...(error.errors ? { errors: error.errors } : {}),
    // Retry-After has no header here: the problem carries it.
    extensions: { ...error.extensions, ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}) },
  })
}

const invalidPayload = (errors: FieldError[]) =>
  new AppError('invalid', 'VALIDATION_FAILED', 'The event payload is invalid', { errors })

export function createDispatcher(deps: DispatchDeps) {
  const { registry, metrics, logger } = deps

  const answer = (connection: LiveConnection, event: string, ack: AckFn | undefined, reply: Ack) => {
    if (ack) ack(reply)
    else if (!reply.ok) connection.socket.emit('problem', { event, error: reply.error })
  }

  const refuse = (
    connection: LiveConnection,
    event: string,
    ack: AckFn | undefined,
    error: AppError,
    label: string,
  ) => {
    metrics.realtimeEventsIn.inc({ event: registry.clientEvent(event) ? event : 'unknown', outcome: label })
    answer(connection, event, ack, { ok: false, error: problemOf(error, randomUUID()) })
    if (connection.budget.refuse()) deps.drop(connection, 'abuse')
  }

  async function run(connection: LiveConnection, event: string, payload: unknown, ack: AckFn | undefined) {
    const definition = registry.clientEvent(event)!
    const ctx = deps.connections.contextOf(connection)
    try {
      const data = await definition.handler(ctx, payload, {
        socketId: connection.socket.id,
        rooms: joinedRooms(connection),
      })
      metrics.realtimeEventsIn.inc({ event, outcome: 'ok' })
      answer(connection, event, ack, data === undefined ? { ok: true } : { ok: true, data })
    } catch (error) {
      if (isAppError(error)) {
        metrics.realtimeEventsIn.inc({ event, outcome: 'refused' })
        answer(connection, event, ack, { ok: false, error: problemOf(error, ctx.requestId) })
        return
      }
      logger.error({ err: error, event, requestId: ctx.requestId }, 'realtime event handler failed')
      metrics.realtimeEventsIn.inc({ event, outcome: 'error' })
      const problem = buildProblem({
        status: 500,
        code: 'INTERNAL_ERROR',
        detail: 'The server could not handle this event',
        requestId: ctx.requestId,
      })
      answer(connection, event, ack, { ok: false, error: problem })
    }
  }

  /** Socket.IO's per-packet middleware: handles the event itself and never passes it on. */
  return function dispatch(connection: LiveConnection, packet: unknown[]): void {
    const [event, ...args] = packet
    const ack = typeof args.at(-1) === 'function' ? (args.pop() as AckFn) : undefined
    if (typeof event !== 'string') return
    if (!connection.budget.take()) {
      const retryAfter = connection.budget.retryAfterSeconds()
      const error = new AppError('rate_limited', 'RATE_LIMITED', 'Too many events; slow down', { retryAfter })
      return refuse(connection, event, ack, error, 'rate_limited')
    }
    const definition = registry.clientEvent(event)
    if (!definition) {
      const error = new AppError('not_found', 'UNKNOWN_EVENT', 'This event is not part of the realtime protocol')
      return refuse(connection, event, ack, error, 'unknown')
    }
    if (args.length !== 1)
      return refuse(
        connection,
        event,
        ack,
        invalidPayload([{ path: '/', message: 'send exactly one payload object', code: 'arity' }]),
        'invalid',
      )
    if (!definition.validator.Check(args[0]))
      return refuse(connection, event, ack, invalidPayload(fieldErrors(definition.validator, args[0])), 'invalid')
    // What no handler can store, refused as on HTTP (input-guard.ts): NUL characters, 1e309.
    const unstorable = findUnstorableValue(args[0], 'payload')
    if (unstorable) return refuse(connection, event, ack, unstorableValueError(unstorable), 'invalid')
    const running = run(connection, event, args[0], ack)
    deps.inflight.add(running)
    void running.finally(() => deps.inflight.delete(running))
  }
}
