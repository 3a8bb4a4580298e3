/**
 * Measures the two ways a cache invalidation can reach other nodes (ADR 0017): PostgreSQL
 * NOTIFY sent inside the committing transaction, and Redis PUBLISH sent after the commit.
 * Reports delivery latency (from sending COMMIT / PUBLISH to the listener's callback) and what
 * the announcement adds to the writing transaction.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 \
 *     node --import tsx scripts/bench/invalidation-latency.ts
 */
import { performance } from 'node:perf_hooks'
import { Redis } from 'ioredis'
import pg from 'pg'

const ROUNDS = Number(process.env.ROUNDS ?? 500)
const CHANNEL = 'lyceum_latency_probe'

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN
const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.99)] ?? NaN
const fmt = (values: number[]) => `median ${median(values).toFixed(3)} ms, p99 ${p99(values).toFixed(3)} ms`

async function postgres(url: string) {
  const listener = new pg.Client({ connectionString: url })
  const writer = new pg.Client({ connectionString: url })
  await Promise.all([listener.connect(), writer.connect()])
  await listener.query(`LISTEN ${CHANNEL}`)
  let waiting: ((at: number) => void) | undefined
  listener.on('notification', () => waiting?.(performance.now()))
  const delivery: number[] = []
  const withNotify: number[] = []
  const without: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    let start = performance.now()
    await writer.query('BEGIN')
    await writer.query('select 1')
    await writer.query('COMMIT')
    without.push(performance.now() - start)
    start = performance.now()
    await writer.query('BEGIN')
    await writer.query(`select pg_notify('${CHANNEL}', $1)`, [String(i)])
    const received = new Promise<number>((resolve) => (waiting = resolve))
    const commitAt = performance.now()
    await writer.query('COMMIT')
    withNotify.push(performance.now() - start)
    delivery.push((await received) - commitAt)
  }
  await Promise.all([listener.end(), writer.end()])
  console.log(`NOTIFY in the transaction: delivery after COMMIT sent ${fmt(delivery)}`)
  console.log(`  writing transaction: ${fmt(without)} without, ${fmt(withNotify)} with pg_notify`)
}

async function redis(url: string) {
  const subscriber = new Redis(url)
  const publisher = new Redis(url)
  await subscriber.subscribe(CHANNEL)
  let waiting: ((at: number) => void) | undefined
  subscriber.on('message', () => waiting?.(performance.now()))
  const delivery: number[] = []
  const publishCost: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    const received = new Promise<number>((resolve) => (waiting = resolve))
    const start = performance.now()
    await publisher.publish(CHANNEL, String(i))
    publishCost.push(performance.now() - start)
    delivery.push((await received) - start)
  }
  subscriber.disconnect()
  publisher.disconnect()
  console.log(`Redis PUBLISH after commit: delivery after PUBLISH sent ${fmt(delivery)}`)
  console.log(`  extra round trip after the commit: ${fmt(publishCost)}`)
}

if (process.env.DATABASE_URL) await postgres(process.env.DATABASE_URL)
if (process.env.REDIS_URL) await redis(process.env.REDIS_URL)
