/**
 * Where a node hears of cache invalidations (public-cache generation bumps, ADR 0017; principal
 * changes, ADR 0018). On PostgreSQL: one dedicated session that LISTENs on every channel (not a
 * request-pool connection; behind a transaction pooler it must be a direct URL, since LISTEN
 * belongs to a session). On PGlite: the embedded database's own LISTEN, in this one process.
 *
 * The feed tells its owners when it is live (`ready`) and when it may have missed a notification
 * (`lost`): a dropped connection, or a heartbeat unanswered within its deadline. An owner then
 * trusts nothing it cached until the next `ready`. `sharedFeed` lets several caches use the one
 * session, each on its own channel.
 */
import type { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import type { Logger } from 'pino'
import type { Config } from '../../config.ts'

export interface FeedHandlers {
  notice(payload: string): void
  ready(): void
  lost(): void
}

/** One cache's view of the feed: the notices of its own channel. */
export interface InvalidationFeed {
  start(handlers: FeedHandlers): Promise<void>
  close(): Promise<void>
}

/** The session itself, on every channel its owners use. */
export interface ChannelFeed {
  start(handlers: Omit<FeedHandlers, 'notice'> & { notice(channel: string, payload: string): void }): Promise<void>
  close(): Promise<void>
}

export function pgliteFeed(pglite: PGlite, channels: readonly string[]): ChannelFeed {
  const unlisteners: (() => Promise<void>)[] = []
  return {
    async start(handlers) {
      for (const channel of channels)
        unlisteners.push(await pglite.listen(channel, (payload) => handlers.notice(channel, payload)))
      handlers.ready()
    },
    async close() {
      if (pglite.closed) return
      for (const unlisten of unlisteners.splice(0)) await unlisten()
    },
  }
}

export interface PostgresFeedOptions {
  url: string
  channels: readonly string[]
  logger: Logger
  /** How often the session proves it is alive; a silent dead connection would otherwise miss notices unnoticed. */
  heartbeatMs?: number
}

const RECONNECT_MIN_MS = 250
const RECONNECT_MAX_MS = 5_000

export function postgresFeed(options: PostgresFeedOptions): ChannelFeed {
  const heartbeatMs = options.heartbeatMs ?? 5_000
  let handlers: Parameters<ChannelFeed['start']>[0] | undefined
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
    if (error)
      options.logger.warn({ err: error }, 'cache invalidation listener lost its database session; reconnecting')
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
      if (options.channels.includes(message.channel) && message.payload)
        handlers?.notice(message.channel, message.payload)
    })
    try {
      await current.connect()
      // Channel names are constants of this program (identifiers, never input).
      for (const channel of options.channels) await current.query(`LISTEN ${channel}`)
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

/**
 * One session for several caches: each subscribes to a channel and gets its notices, and every
 * one hears `ready` and `lost`. The session starts with the first subscriber and ends with the
 * last; a subscriber joining a live session hears `ready` at once.
 */
export function sharedFeed(feed: ChannelFeed): { channel(name: string): InvalidationFeed } {
  const subscribers = new Map<FeedHandlers, string>()
  let live = false
  let starting: Promise<void> | undefined
  const each = (call: (handlers: FeedHandlers) => void) => {
    for (const handlers of [...subscribers.keys()]) call(handlers)
  }
  const ensureStarted = () =>
    (starting ??= feed.start({
      notice: (channel, payload) => {
        for (const [handlers, name] of subscribers) if (name === channel) handlers.notice(payload)
      },
      ready: () => {
        live = true
        each((handlers) => handlers.ready())
      },
      lost: () => {
        live = false
        each((handlers) => handlers.lost())
      },
    }))
  return {
    channel(name) {
      let mine: FeedHandlers | undefined
      return {
        async start(handlers) {
          mine = handlers
          subscribers.set(handlers, name)
          const first = starting === undefined
          await ensureStarted()
          if (!first && live) handlers.ready()
        },
        async close() {
          if (mine) subscribers.delete(mine)
          mine = undefined
          if (subscribers.size === 0 && starting) {
            starting = undefined
            live = false
            await feed.close()
          }
        },
      }
    },
  }
}

/**
 * The one LISTEN session every cache channel shares: its own direct connection on PostgreSQL
 * (DATABASE_LISTEN_URL, never a transaction pooler), the embedded database's otherwise.
 */
export function databaseFeed(
  database: Config['database'],
  pglite: PGlite | undefined,
  logger: Logger,
  channels: readonly string[],
): { channel(name: string): InvalidationFeed } {
  if (database.kind === 'postgres') return sharedFeed(postgresFeed({ url: database.listenUrl, logger, channels }))
  if (!pglite) throw new Error('the embedded database must be open before its cache listener')
  return sharedFeed(pgliteFeed(pglite, channels))
}
