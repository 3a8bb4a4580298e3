/**
 * Realtime fan-out on two nodes (issue 12, "Tests that must exist"): two app processes on the
 * bench database and one Redis (node A as `serve`, with the worker whose outbox subscriber
 * publishes chat messages; node B as `api`), a public community with one channel and 1,000
 * members (seed below), 1,000 socket.io-client connections (WebSocket only, access
 * tokens) split across the nodes and joined to the channel's room. Clients on both nodes then send
 * `chat.send` at a steady rate, each message's body its send time; every socket records receipt
 * minus send time of each `chat.message.created`. Reports fan-out latency over all deliveries,
 * deliveries per second, and each node's RSS and heap (from its own /metrics) before connecting,
 * with 1,000 connected, at the peak of the run and after it.
 *
 * Needs PostgreSQL (the bench always does) and Redis: REDIS_URL. Without it the flow is skipped
 * with a loud message. BENCH_REALTIME_RATE (messages per second, default 10) and
 * BENCH_REALTIME_CLIENTS (default 1000) tune it; BENCH_DURATION is the sending time.
 */
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { sql } from 'drizzle-orm'
import { io, type Socket } from 'socket.io-client'
import { REALTIME_PATH } from '../../../src/platform/realtime/gateway.ts'
import { platformScope, rowsOf, tenantScope } from '../../../src/platform/db/database.ts'
import { CHAT_MESSAGE_CREATED } from '../../../src/modules/chat/chat.events.ts'
import type { Ack } from '../../../src/platform/realtime/realtime.types.ts'
import type { BenchFlow, FlowContext } from '../scenario.ts'
import { inBatches, memoryOf, percentiles, startNodes, type AppNode, type NodeMemory } from './realtime-support.ts'

const TARGET_SLUG = 'bench-target'
const PARALLEL_SETUP = 8
const PARALLEL_CONNECT = 50
const DRAIN_TIMEOUT_MS = 30_000
const OUTBOX_TIMEOUT_MS = 600_000

const setting = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`)
  return value
}

async function post(context: FlowContext, path: string, token: string, body?: unknown) {
  const response = await fetch(`${context.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })
  if (response.status >= 300) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`)
  return (response.status === 204 ? {} : await response.json()) as { id?: string }
}

/**
 * A public community with a members' channel (through the API), and `count` members. The members
 * are inserted as the join path writes them (membership-store.ts: an active membership with one
 * `join` source granted by the user), in one statement each: a join through the API publishes a
 * member_joined event per member, and the worker's dispatch of a thousand of those would take
 * minutes on this machine before the bench could start. Their subscribers (notifications,
 * counts) have nothing to do with the fan-out measured here.
 */
async function seed(context: FlowContext, count: number) {
  const owner = await context.tokenFor(['instructor'])
  const community = await post(context, '/v1/communities', owner, {
    slug: `realtime-${Date.now().toString(36)}`,
    name: 'Realtime bench',
    visibility: 'public',
  })
  const channel = await post(context, `/v1/communities/${community.id}/channels`, owner, { name: 'general' })
  const userIds = Array.from({ length: count }, () => randomUUID())
  const tokens = await inBatches(userIds, PARALLEL_SETUP, (userId) => context.tokenFor(['learner'], userId))
  const tenantId = context.tenants.target
  await context.lyceum.platform.database.transaction(tenantScope(tenantId), async (tx) => {
    const ids = sql`${`{${userIds.join(',')}}`}::uuid[]`
    await tx.execute(sql`INSERT INTO community.memberships (tenant_id, community_id, user_id, state, role, joined_at)
      SELECT ${tenantId}, ${community.id}, u, 'active', 'member', now() FROM unnest(${ids}) AS u`)
    await tx.execute(sql`INSERT INTO community.membership_sources (tenant_id, membership_id, kind, source_ref, granted_by)
      SELECT tenant_id, id, 'join', NULL, 'user:' || user_id FROM community.memberships
      WHERE community_id = ${community.id} AND user_id = ANY(${ids})`)
  })
  return { channelId: channel.id!, tokens }
}

function connect(node: AppNode, token: string): Promise<Socket> {
  const socket = io(node.url, {
    path: REALTIME_PATH,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: { token },
    extraHeaders: { host: `${TARGET_SLUG}.localhost` },
    timeout: 30_000,
  })
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', (error) => reject(new Error(`connect to ${node.name}: ${error.message}`)))
  })
}

async function join(socket: Socket, channelId: string) {
  const ack = (await socket.timeout(30_000).emitWithAck('room.join', { room: `channel:${channelId}` })) as Ack
  if (!ack.ok) throw new Error(`room.join refused: ${JSON.stringify(ack)}`)
}

/** Waits until node A's worker dispatched every event of the set-up (joins), so the run starts on an empty outbox. */
async function outboxDrained(context: FlowContext): Promise<number> {
  const started = performance.now()
  for (;;) {
    const [left] = await context.lyceum.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ n: number }>(tx, sql`SELECT count(*)::int AS n FROM platform.domain_events WHERE dispatched_at IS NULL`),
    )
    if (left?.n === 0) return (performance.now() - started) / 1000
    if (performance.now() - started > OUTBOX_TIMEOUT_MS)
      throw new Error(`${left?.n} events still undispatched after ${OUTBOX_TIMEOUT_MS / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/**
 * Of the run's chat messages, the time from the send's transaction (the event's occurred_at) to
 * the end of its dispatch (dispatched_at, set after the subscriber published): the outbox's share
 * of the fan-out latency.
 */
async function outboxLag(context: FlowContext) {
  const [lag] = await context.lyceum.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{
      p50: number
      p99: number
      max: number
      events: number
      seconds: number
      after: number
      afterSeconds: number
    }>(
      tx,
      sql`SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
                 max(ms)::float8 AS max, count(*)::int AS events, extract(epoch FROM max(dispatched_at) - min(dispatched_at))::float8 AS seconds,
                 count(*) FILTER (WHERE dispatched_at > last_sent)::int AS after,
                 greatest(extract(epoch FROM max(dispatched_at) - max(last_sent)), 0)::float8 AS "afterSeconds"
          FROM (SELECT extract(epoch FROM dispatched_at - occurred_at) * 1000 AS ms, dispatched_at,
                       max(occurred_at) OVER () AS last_sent
                FROM platform.domain_events
                WHERE type = ${CHAT_MESSAGE_CREATED} AND dispatched_at IS NOT NULL) AS lag`,
    ),
  )
  return lag ?? { p50: NaN, p99: NaN, max: NaN, events: 0, seconds: NaN, after: 0, afterSeconds: NaN }
}

const row = (label: string, m: NodeMemory) =>
  `  ${label.padEnd(26)} ${m.rssMb.toFixed(1).padStart(8)} ${m.heapUsedMb.toFixed(1).padStart(10)} ` +
  `${m.heapTotalMb.toFixed(1).padStart(10)} ${String(m.connections).padStart(12)}`

export const realtimeFlow: BenchFlow = {
  name: 'realtime',
  async run(context) {
    const redisUrl = process.env.REDIS_URL
    if (!redisUrl) {
      context.write(
        '\n*** realtime SKIPPED: the two-node realtime bench needs Redis (set REDIS_URL, e.g. redis://127.0.0.1:6379) ' +
          'besides the bench PostgreSQL ***\n\n',
      )
      return true
    }
    const clients = setting('BENCH_REALTIME_CLIENTS', 1000)
    const rate = setting('BENCH_REALTIME_RATE', 10)
    const nodes = await startNodes({ databaseUrl: context.databaseUrl, redisUrl, rateLimits: context.rateLimits })
    const sockets: Socket[] = []
    try {
      const { channelId, tokens } = await seed(context, clients)
      const drainSeconds = await outboxDrained(context)
      context.write(
        `realtime: outbox empty (waited ${drainSeconds.toFixed(1)} s for node A to dispatch the set-up events)\n`,
      )
      const memory: Array<[string, NodeMemory]> = []
      const sample = async (label: string) => {
        for (const node of nodes) memory.push([`${node.name.slice(0, 1)} ${label}`, await memoryOf(node)])
      }
      await sample('before connecting')
      const connectStart = performance.now()
      sockets.push(...(await inBatches(tokens, PARALLEL_CONNECT, (token, i) => connect(nodes[i % 2]!, token))))
      await inBatches(sockets, PARALLEL_CONNECT, (socket) => join(socket, channelId))
      const setupSeconds = (performance.now() - connectStart) / 1000
      await sample(`${clients} connected`)

      // The receive path: one typed-array write per delivery, nothing else.
      const expected = rate * context.seconds * clients
      const latencies = new Float64Array(expected + clients * 10)
      let delivered = 0
      let lastReceipt = 0
      const onMessage = (message: { body: string }) => {
        lastReceipt = performance.now()
        if (delivered < latencies.length) latencies[delivered] = lastReceipt - Number(message.body)
        delivered++
      }
      for (const socket of sockets) socket.on('chat.message.created', onMessage)

      const acks: number[] = []
      let refused = 0
      const peaks = new Map<string, NodeMemory>()
      const before = await Promise.all(nodes.map(memoryOf))
      const cpuBefore = process.cpuUsage()
      const peakTimer = setInterval(() => {
        for (const node of nodes)
          // A sample that fails (a node busy past fetch's patience) is only a missing sample.
          memoryOf(node).then(
            (m) => {
              const peak = peaks.get(node.name)
              if (!peak || m.rssMb > peak.rssMb) peaks.set(node.name, m)
            },
            () => {},
          )
      }, 1000)
      const total = rate * context.seconds
      const start = performance.now()
      const pending: Promise<void>[] = []
      for (let i = 0; i < total; i++) {
        const due = start + (i * 1000) / rate
        const wait = due - performance.now()
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
        // Senders take turns through every client, so alternate between the nodes and stay far below the per-member send limit.
        const sender = sockets[i % sockets.length]!
        const sentAt = performance.now()
        pending.push(
          (
            sender.timeout(30_000).emitWithAck('chat.send', { channelId, body: sentAt.toFixed(3) }) as Promise<Ack>
          ).then(
            (ack) => (ack.ok ? void acks.push(performance.now() - sentAt) : void refused++),
            () => void refused++,
          ),
        )
      }
      const sendSeconds = (performance.now() - start) / 1000
      await Promise.all(pending)
      const want = acks.length * clients
      const drainStart = performance.now()
      while (delivered < want && performance.now() - drainStart < DRAIN_TIMEOUT_MS)
        await new Promise((resolve) => setTimeout(resolve, 50))
      clearInterval(peakTimer)
      const cpu = process.cpuUsage(cpuBefore)
      const after = await Promise.all(nodes.map(memoryOf))
      const elapsed = (lastReceipt - start) / 1000
      for (const node of nodes)
        if (peaks.has(node.name)) memory.push([`${node.name.slice(0, 1)} peak during the run`, peaks.get(node.name)!])
      nodes.forEach((node, i) => memory.push([`${node.name.slice(0, 1)} after the run`, after[i]!]))

      const lag = await outboxLag(context)
      const fanOut = percentiles(latencies, Math.min(delivered, latencies.length))
      const ack = percentiles(Float64Array.from(acks), acks.length)
      const cpuPercent = (seconds: number) => `${Math.round((seconds / elapsed) * 100)}%`
      context.write(
        `\nrealtime: ${clients} clients (${Math.ceil(clients / 2)} on node A, ${Math.floor(clients / 2)} on node B, WebSocket) in one channel room, ` +
          `connected and joined in ${setupSeconds.toFixed(1)} s; ${rate} messages/s offered for ${context.seconds} s by clients on both nodes ` +
          `(sent over ${sendSeconds.toFixed(1)} s)\n` +
          `  messages acknowledged ${acks.length} of ${total} (refused or timed out ${refused}); send → ack p50 ${ack.p50.toFixed(1)} ms, p99 ${ack.p99.toFixed(1)} ms\n` +
          `  deliveries ${delivered} of ${want} expected; ${Math.round(delivered / elapsed)} deliveries/s (first send → last receipt ${elapsed.toFixed(1)} s)\n` +
          `  fan-out latency (send → receipt, every delivery): p50 ${fanOut.p50.toFixed(1)} ms, p99 ${fanOut.p99.toFixed(1)} ms, max ${fanOut.max.toFixed(1)} ms\n` +
          `  of which the outbox (send transaction → event dispatched by node A's worker): p50 ${Number(lag.p50).toFixed(1)} ms, ` +
          `p99 ${Number(lag.p99).toFixed(1)} ms, max ${Number(lag.max).toFixed(1)} ms; ` +
          `${lag.events} dispatched over ${Number(lag.seconds).toFixed(1)} s (${(lag.events / lag.seconds).toFixed(1)}/s, one job at a time), ` +
          `${lag.after} of them after the last send, over ${Number(lag.afterSeconds).toFixed(1)} s\n` +
          `  CPU over that time: node A ${cpuPercent(after[0]!.cpuSeconds - before[0]!.cpuSeconds)}, node B ${cpuPercent(after[1]!.cpuSeconds - before[1]!.cpuSeconds)}, ` +
          `bench process (all clients) ${cpuPercent((cpu.user + cpu.system) / 1e6)} of one core\n` +
          `  node memory                  RSS MB  heap used  heap total  connections\n` +
          `${memory.map(([label, m]) => row(label, m)).join('\n')}\n`,
      )
      return refused === 0 && delivered >= want
    } finally {
      for (const socket of sockets) socket.close()
      await Promise.all(nodes.map((node) => node.stop()))
    }
  },
}
