/**
 * Where a node hears of generation bumps. On PostgreSQL: one dedicated session that LISTENs (not
 * a request-pool connection; behind a transaction pooler it must be a direct URL, since LISTEN
 * belongs to a session). On PGlite: the embedded database's own LISTEN, in this one process.
 *
 * The feed tells its owner when it is live (`ready`) and when it may have missed a notification
 * (`lost`): a dropped connection, or a heartbeat unanswered within its deadline. The owner then
 * trusts nothing it cached until the next `ready`.
 */
import type { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import type { Logger } from 'pino'
import { INVALIDATION_CHANNEL } from './cache-generations.ts'

export interface FeedHandlers {
  notice(payload: string): void
  ready(): void
  lost(): void
}

export interface InvalidationFeed {
  start(handlers: FeedHandlers): Promise<void>
  close(): Promise<void>
}

export function pgliteFeed(pglite: PGlite): InvalidationFeed {
  let unlisten: (() => Promise<void>) | undefined
  return {
    async start(handlers) {
      unlisten = await pglite.listen(INVALIDATION_CHANNEL, (payload) => handlers.notice(payload))
      handlers.ready()
    },
    async close() {
      if (unlisten && !pglite.closed) await unlisten()
    },
  }
}

export interface PostgresFeedOptions {
  url: string
  logger: Logger
  /** How often the session proves it is alive; a silent dead connection would otherwise miss notices unnoticed. */
  heartbeatMs?: number
}

const RECONNECT_MIN_MS = 250
const RECONNECT_MAX_MS = 5_000

export function postgresFeed(options: PostgresFeedOptions): InvalidationFeed {
  const heartbeatMs = options.heartbeatMs ?? 5_000
  let handlers: FeedHandlers | undefined
  let client: pg.Client | undefined
  let closed = false
  let attempt = 0
  let heartbeat: NodeJS.Timeout | undefined
  let retry: NodeJS.Timeout | undefined

  const drop = (current: pg.Client, error?: unknown) => {
    if (client !== current) return
    client = undefined
    clearInterval(heartbeat)
    handlers?.lost()
    current.removeAllListeners('notification')
    current.on('error', () => {})
    void current.end().catch(() => {})
    if (closed) return
    if (error) options.logger.warn({ err: error }, 'public-cache listener lost its database session; reconnecting')
    const delay = Math.min(RECONNECT_MIN_MS * 2 ** attempt++, RECONNECT_MAX_MS)
    retry = setTimeout(() => void connect(), delay)
    retry.unref()
  }

  const connect = async () => {
    const current = new pg.Client({
      connectionString: options.url,
      application_name: 'lyceum-cache-listener',
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    })
    client = current
    current.on('error', (error) => drop(current, error))
    current.on('end', () => drop(current, new Error('connection ended')))
    current.on('notification', (message) => {
      if (message.channel === INVALIDATION_CHANNEL && message.payload) handlers?.notice(message.payload)
    })
    try {
      await current.connect()
      await current.query(`LISTEN ${INVALIDATION_CHANNEL}`)
    } catch (error) {
      drop(current, error)
      return
    }
    if (client !== current || closed) return
    attempt = 0
    heartbeat = setInterval(() => void beat(current), heartbeatMs)
    heartbeat.unref()
    handlers?.ready()
  }

  const beat = async (current: pg.Client) => {
    const deadline = setTimeout(() => drop(current, new Error('heartbeat timed out')), heartbeatMs)
    try {
      await current.query('select 1')
    } catch (error) {
      drop(current, error)
    } finally {
      clearTimeout(deadline)
    }
  }

  return {
    async start(h) {
      handlers = h
      await connect()
    },
    async close() {
      closed = true
      clearTimeout(retry)
      if (client) drop(client)
    },
  }
}
