/**
 * The realtime gateway (docs/realtime.md, ADR 0029): a Socket.IO server on the app's HTTP server
 * at /realtime. Handshakes are authenticated like HTTP requests (handshake.ts); every client
 * event goes through dispatch.ts; rooms are tenant-qualified and joined only after the owning
 * module's authoriser says yes (protocol.ts). With REDIS_URL, the Redis adapter carries
 * broadcasts, evictions and room changes to every node and presence is shared (presence.ts);
 * without it, one process (`serve`) holds everything.
 */
import type { Server as HttpServer } from 'node:http'
import { randomUUID } from 'node:crypto'
import { createAdapter } from '@socket.io/redis-adapter'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { Server, type Socket } from 'socket.io'
import type { Database } from '../db/database.ts'
import { AppError, isAppError } from '../errors.ts'
import { buildProblem } from '../http/problem.ts'
import type { Metrics } from '../observability/metrics.ts'
import type { InvalidationFeed } from '../cache/invalidation-feed.ts'
import { createConnections, type LiveConnection } from './connections.ts'
import { createDispatcher, problemOf } from './dispatch.ts'
import { authenticateHandshake, verifyCredential, type Connection, type HandshakeDeps } from './handshake.ts'
import { createSessionChecks } from './session-checks.ts'
import { DEFAULT_LIMITS, EventBudget, type RealtimeLimits } from './limits.ts'
import { memoryPresence, redisPresence } from './presence.ts'
import { registerProtocol } from './protocol.ts'
import { createRegistry, internalRoom, parseRoom } from './registry.ts'
import type { RealtimeGateway } from './realtime.types.ts'

/** Where clients connect (`io(origin, { path: '/realtime' })`). */
export const REALTIME_PATH = '/realtime'

export interface RealtimeOptions {
  logger: Logger
  database: Database
  metrics: Metrics
  redis: Redis | undefined
  /** Prefix of the adapter's pub/sub channels (REDIS_KEY_PREFIX): deployments sharing a Redis stay apart. */
  redisKeyPrefix: string
  corsOrigins: string[]
  limits?: Partial<RealtimeLimits>
}

export interface AttachDeps {
  server: HttpServer
  handshake: HandshakeDeps
  /** Principal-change notices (ADR 0018): a revoked session's connections end at once. */
  principalFeed: InvalidationFeed
}

/** Has the promises these commands return handled (logged): the adapter drops them, and an unhandled rejection ends the process. */
function logRejections(client: Redis, commands: readonly string[], logger: Logger): Redis {
  const methods = client as unknown as Record<string, (...args: unknown[]) => unknown>
  for (const command of commands) {
    const original = methods[command]!.bind(client)
    methods[command] = (...args: unknown[]) => {
      const result = original(...args)
      if (result instanceof Promise)
        result.catch((error: unknown) => logger.warn({ err: error, command }, 'realtime adapter redis command failed'))
      return result
    }
  }
  return client
}

/**
 * The Redis adapter on two connections duplicated from the platform's. Start-up does not wait
 * for Redis: while it is unreachable realtime reaches this node's clients only, HTTP is unaffected
 * (issue 10, point 6), and the adapter joins the other nodes when Redis answers. The subscriber
 * queues its SUBSCRIBEs until it connects and resubscribes after every reconnect; the publisher
 * keeps the platform's fail-fast settings (no queue grows during an outage), its failures logged.
 */
function connectAdapter(io: Server, redis: Redis, keyPrefix: string, logger: Logger): Redis[] {
  const publisher = logRejections(redis.duplicate(), ['publish'], logger)
  const subscriber = logRejections(
    redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null }),
    ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe'],
    logger,
  )
  for (const client of [publisher, subscriber])
    client.on('error', (error) => logger.warn({ err: error }, 'realtime adapter redis connection error'))
  io.adapter(createAdapter(publisher, subscriber, { key: `${keyPrefix}socket.io`, requestsTimeout: 5_000 }))
  return [publisher, subscriber]
}

export function createRealtime(options: RealtimeOptions) {
  const { logger, metrics, redis } = options
  const limits: RealtimeLimits = { ...DEFAULT_LIMITS, ...options.limits }
  const registry = createRegistry()
  const connections = createConnections(options.database)
  const presence = redis ? redisPresence(redis, limits.presenceTtlMs) : memoryPresence(limits.presenceTtlMs)
  const inflight = new Set<Promise<unknown>>()
  const pending = new Set<Promise<unknown>>()
  const io = new Server({
    path: REALTIME_PATH,
    serveClient: false,
    maxHttpBufferSize: limits.maxMessageBytes,
    // Browsers on another origin (a tenant's web client) need CORS for the polling transport.
    ...(options.corsOrigins.length > 0 ? { cors: { origin: options.corsOrigins, credentials: true } } : {}),
  })
  let attached: AttachDeps | undefined
  let closing = false
  const timers: NodeJS.Timeout[] = []
  const pubsub: Redis[] = []

  const track = (work: Promise<unknown>) => {
    const settled = work.catch((error: unknown) => logger.warn({ err: error }, 'realtime presence update failed'))
    pending.add(settled)
    void settled.finally(() => pending.delete(settled))
  }

  /** Closes a connection; a slow reader's TCP connection is cut at once (its queue is what must go). */
  function drop(connection: LiveConnection, reason: string): void {
    if (connection.dropping) return
    connection.dropping = true
    metrics.realtimeDisconnects.inc({ reason })
    const { socket } = connection
    socket.disconnect(true)
    if (reason !== 'slow_consumer') return
    const raw = (socket.conn.transport as unknown as { socket?: { terminate?: () => void } }).socket
    if (typeof raw?.terminate === 'function') raw.terminate()
    else socket.conn.close(true)
  }

  function endSession(connection: LiveConnection, error: AppError): void {
    if (connection.dropping) return
    connection.socket.emit('session.ended', { code: error.code, detail: error.message })
    drop(connection, 'session_ended')
  }

  const sessions = createSessionChecks({ connections, logger, handshake: () => attached?.handshake, endSession })

  const dispatch = createDispatcher({ registry, connections, metrics, logger, drop, inflight })

  function onConnection(socket: Socket): void {
    const { principal, tenantId, credential } = socket.data.connection as Connection
    const connection: LiveConnection = {
      socket,
      tenantId,
      userId: principal.userId,
      principal,
      credential,
      budget: new EventBudget(limits),
      typingAt: new Map(),
      checking: false,
      dropping: false,
    }
    // Only ids travel to other nodes (fetchSockets), never the credential.
    socket.data = { tenantId, userId: principal.userId }
    connections.add(connection)
    metrics.realtimeConnections.set(connections.size)
    void socket.join(internalRoom(tenantId, `user:${principal.userId}`))
    // Present since admit() recorded it; removed when the connection closes.
    const entry = { tenantId, userId: principal.userId, socketId: socket.id }
    const conn = socket.conn as unknown as { writeBuffer: unknown[]; on(event: 'packetCreate', fn: () => void): void }
    conn.on('packetCreate', () => {
      // Packets pile up here only while the transport cannot write: the client is not reading.
      if (conn.writeBuffer.length >= limits.maxQueuedPackets && !connection.dropping)
        process.nextTick(() => drop(connection, 'slow_consumer'))
    })
    socket.use((packet) => dispatch(connection, packet))
    socket.on('disconnect', () => {
      connection.dropping = true
      connections.remove(connection)
      metrics.realtimeConnections.set(connections.size)
      track(presence.remove(entry))
    })
  }

  async function admit(socket: Socket): Promise<Connection> {
    if (closing || !attached)
      throw new AppError('unavailable', 'SHUTTING_DOWN', 'This server is shutting down; reconnect', { retryAfter: 5 })
    const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>
    const connection = await authenticateHandshake(attached.handshake, { auth, headers: socket.handshake.headers })
    const open = await presence.connections(connection.tenantId, connection.principal.userId)
    if (open >= limits.maxConnectionsPerUser)
      throw new AppError(
        'rate_limited',
        'TOO_MANY_CONNECTIONS',
        `At most ${limits.maxConnectionsPerUser} connections per user`,
      )
    // Recorded before the connection opens, so the next handshake of this user counts it.
    await presence.touch([{ tenantId: connection.tenantId, userId: connection.principal.userId, socketId: socket.id }])
    return connection
  }

  io.use((socket, next) => {
    admit(socket).then(
      (connection) => {
        socket.data.connection = connection
        next()
      },
      (error: unknown) => {
        const requestId = randomUUID()
        if (!isAppError(error)) logger.error({ err: error, requestId }, 'realtime handshake failed')
        const problem = isAppError(error)
          ? problemOf(error, requestId)
          : buildProblem({ status: 500, code: 'INTERNAL_ERROR', detail: 'The handshake failed', requestId })
        metrics.realtimeHandshakeRefusals.inc({ code: problem.code })
        // socket.io-client shows this as connect_error: `message` is the detail, `data` the problem.
        next(Object.assign(new Error(problem.detail), { data: problem }))
      },
    )
  })
  io.on('connection', onConnection)

  const toRoom = (tenantId: string, room: string) => {
    const parsed = parseRoom(room)
    if (!parsed || !registry.roomKind(parsed.kind))
      throw new Error(`realtime: "${room}" is not a room of a registered kind`)
    return internalRoom(tenantId, room)
  }

  const gateway: RealtimeGateway = {
    registerRoomKind: (kind, room) => registry.registerRoomKind(kind, room),
    registerServerEvent: (name, schema, eventOptions) => registry.registerServerEvent(name, schema, eventOptions),
    registerClientEvent: (name, schema, handler, eventOptions) =>
      registry.registerClientEvent(name, schema, handler, eventOptions),
    publish(tenantId, room, event, payload, publishOptions) {
      const target = toRoom(tenantId, room)
      registry.checkServerEvent(event, payload)
      // Withheld users are skipped through their own rooms (`user:<id>`), which the adapter carries
      // to every node with the broadcast.
      const except = (publishOptions?.exceptUserIds ?? []).map((id) => internalRoom(tenantId, `user:${id}`))
      io.to(target).except(except).emit(event, payload)
      metrics.realtimeEventsOut.inc({ event })
    },
    async evict({ tenantId, kind, roomId, userId, reason }) {
      const room = `${kind}:${roomId}`
      const target = toRoom(tenantId, room)
      // Whose sockets: the user's own room (every device), or the room itself when it closes.
      const whose = userId ? internalRoom(tenantId, `user:${userId}`) : target
      // Told first: once out of the room, a closing room's sockets could no longer be reached.
      io.to(whose).emit('room.evicted', { room, ...(reason ? { reason } : {}) })
      metrics.realtimeEventsOut.inc({ event: 'room.evicted' })
      // Here at once (the Redis adapter applies a leave only when its own message comes back), then
      // through the adapter on every node, ahead of anything this node publishes afterwards.
      io.local.in(whose).socketsLeave(target)
      io.in(whose).socketsLeave(target)
      // socketsLeave is fire-and-forget through Redis. fetchSockets goes out on the same channel
      // after it (so every node applies the leave first) and waits for every node's answer (it
      // rejects after the adapter's requestsTimeout): a socket still in the room, or a node that
      // did not answer, fails the eviction so that the outbox subscriber calling it retries.
      const left = await io.in(whose).fetchSockets()
      const stayed = left.filter((socket) => socket.rooms.has(target)).length
      if (stayed > 0) throw new Error(`realtime: ${stayed} connection(s) still in ${room} after the eviction`)
    },
    async presenceOf(tenantId, userIds) {
      const online = await presence.online(tenantId, userIds)
      return userIds.map((userId, i) => ({ userId, online: online[i] ?? false }))
    },
  }

  registerProtocol({
    registry,
    connections,
    presence,
    limits,
    verify: (credential) => verifyCredential(attached!.handshake, credential),
    broadcastExcept(connection, room, event, payload, exceptUserIds = []) {
      registry.checkServerEvent(event, payload)
      const except = exceptUserIds.map((id) => internalRoom(connection.tenantId, `user:${id}`))
      connection.socket.to(internalRoom(connection.tenantId, room)).except(except).emit(event, payload)
      metrics.realtimeEventsOut.inc({ event })
    },
  })

  return {
    gateway,
    registry,
    limits,
    io,
    /** Serves /realtime on the app's HTTP server; the handshake and revocation come from the app's wiring. */
    attach(deps: AttachDeps): void {
      attached = deps
      io.attach(deps.server)
    },
    /** Closes registration, connects the adapter (Redis), starts heartbeats and session checks. */
    async start(): Promise<void> {
      registry.close()
      if (redis) pubsub.push(...connectAdapter(io, redis, options.redisKeyPrefix, logger))
      const heartbeat = () =>
        track(
          presence.touch(
            connections.all().map((c) => ({ tenantId: c.tenantId, userId: c.userId, socketId: c.socket.id })),
          ),
        )
      timers.push(setInterval(heartbeat, Math.max(1_000, limits.presenceTtlMs / 3)))
      timers.push(setInterval(sessions.checkAll, limits.sessionCheckMs))
      for (const timer of timers) timer.unref()
      await attached?.principalFeed.start(sessions.feed)
    },
    /**
     * Stops taking connections, closes every transport (clients reconnect, to another node behind
     * a load balancer), waits for running handlers, then lets go of the adapter's connections.
     */
    async close(): Promise<void> {
      closing = true
      for (const timer of timers.splice(0)) clearInterval(timer)
      await attached?.principalFeed.close()
      if (attached) io.engine.close()
      await Promise.allSettled([...inflight])
      await Promise.allSettled([...pending])
      await (io.of('/').adapter as { close?: () => Promise<void> | void }).close?.()
      for (const client of pubsub.splice(0)) client.disconnect()
    },
    stats: () => ({ connections: connections.size }),
  }
}

export type Realtime = ReturnType<typeof createRealtime>
