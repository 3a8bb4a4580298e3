/**
 * The session-state cache (ADR 0018): what a session check found (roles, MFA enrolment pending, the
 * profile GET /v1/me shows), kept in process for at most SESSION_CACHE_SECONDS (≤ 30 s) so that most authenticated requests
 * skip the check's round trip. Never stale beyond the invalidation feed's delivery:
 *
 * - Database triggers announce every committed change to what a check reads (principal-changes.ts);
 *   a notice for a user (or tenant) invalidates every entry of that user (tenant) read before it.
 *   Invalidation is by *mark*: the node's epoch advances with every notice and the user's mark
 *   records it; an entry captured at an older epoch is refused. No index of entries per user is
 *   needed and a notice costs O(1).
 * - Race: a request captures the epoch *before* its database read and stores under it; if a
 *   notice for the user arrived in between, the store is dropped (the read may predate the change).
 * - Revoking node: the revoking code calls principalChanging(userId) before it commits; until the
 *   trigger's notice arrives (or PENDING_MS pass, for a transaction that rolled back) this node
 *   neither serves nor stores that user's sessions.
 * - Listener loss: while the feed is not live nothing is served or stored and everything cached is
 *   dropped, exactly like the public response cache.
 */
import type { Logger } from 'pino'
import { onPrincipalChanging, parsePrincipalChange } from './principal-changes.ts'
import type { InvalidationFeed } from './invalidation-feed.ts'
import { BoundedLru } from './lru.ts'

/** A change of this process whose notice never came (rolled back) stops holding back after this. */
const PENDING_MS = 5_000
/** Rough size of one entry (key, ids, a few roles), for the byte bound; the caller adds what its value holds beyond that. */
const ENTRY_BYTES = 512
/** The byte bound allows this much per entry on average (room for an email address and a name). */
const AVERAGE_ENTRY_BYTES = 1024

export interface SessionCacheOptions {
  feed: InvalidationFeed
  logger: Logger
  /** How long a checked state is served without asking again; 0 turns the cache off. */
  ttlSeconds: number
  maxEntries: number
}

/** The epoch seen before a request's database read; its result is stored only if still valid. */
export interface SessionCapture {
  readonly userId: string
  readonly tenantId: string
  readonly epoch: number
}

interface Stored<V> {
  userId: string
  tenantId: string
  epoch: number
  value: V
}

interface Mark {
  epoch: number
  at: number
}

export type SessionCache<V> = ReturnType<typeof createSessionCache<V>>

export function createSessionCache<V>(options: SessionCacheOptions) {
  const enabled = options.ttlSeconds > 0 && options.maxEntries > 0
  const ttlMs = options.ttlSeconds * 1000
  const lru = new BoundedLru<Stored<V>>({
    maxEntries: options.maxEntries,
    maxBytes: options.maxEntries * AVERAGE_ENTRY_BYTES,
  })
  const userMarks = new Map<string, Mark>()
  const tenantMarks = new Map<string, Mark>()
  /** Users (`u <id>`) and tenants (`t <id>`) with a change of this process not yet announced. */
  const pending = new Map<string, number>()
  const keyListeners = new Set<() => void>()
  let epoch = 0
  /** Captures older than this were taken before the feed was last lost or regained. */
  let trustedSince = 0
  let live = false
  let lastPrune = Date.now()

  // An entry lives at most ttlMs after it was stored, and it was stored before any mark that
  // refuses it, so a mark older than ttlMs refuses nothing any more.
  const prune = (now: number) => {
    if (now - lastPrune < ttlMs) return
    lastPrune = now
    for (const marks of [userMarks, tenantMarks])
      for (const [id, mark] of marks) if (now - mark.at > ttlMs + 1_000) marks.delete(id)
  }

  const mark = (marks: Map<string, Mark>, id: string) => {
    const now = Date.now()
    marks.set(id, { epoch: ++epoch, at: now })
    prune(now)
  }

  const forgetAll = () => {
    epoch++
    trustedSince = epoch
    lru.clear()
    userMarks.clear()
    tenantMarks.clear()
    // Pending changes stay: their transactions may still commit after the feed is back.
  }

  const heldFor = (slot: string, now: number) => {
    const until = pending.get(slot)
    if (until === undefined) return false
    if (until > now) return true
    pending.delete(slot)
    return false
  }
  const held = (userId: string, tenantId: string, now: number) =>
    pending.size > 0 && (heldFor(`u ${userId}`, now) || heldFor(`t ${tenantId}`, now))

  /** True when a change of the user or tenant was heard after `since`. */
  const changedSince = (userId: string, tenantId: string, since: number) =>
    since < trustedSince ||
    (userMarks.get(userId)?.epoch ?? 0) > since ||
    (tenantMarks.get(tenantId)?.epoch ?? 0) > since

  const stopPending = onPrincipalChanging((scope) => {
    if (!enabled) return
    const [slot, marks, id] =
      'userId' in scope
        ? [`u ${scope.userId}`, userMarks, scope.userId]
        : [`t ${scope.tenantId}`, tenantMarks, scope.tenantId]
    pending.set(slot, Date.now() + PENDING_MS)
    mark(marks, id)
  })

  return {
    /** The cached state of a session, if it is still vouched for; undefined otherwise. */
    lookup(key: string, userId: string, tenantId: string): V | undefined {
      if (!enabled || !live) return undefined
      const now = Date.now()
      if (held(userId, tenantId, now)) return undefined
      const entry = lru.get(key, now)
      if (!entry || entry.userId !== userId || entry.tenantId !== tenantId) return undefined
      if (changedSince(userId, tenantId, entry.epoch)) {
        lru.delete(key)
        return undefined
      }
      return entry.value
    },

    /** Taken before the database read whose result may be stored; undefined when it may not. */
    capture(userId: string, tenantId: string): SessionCapture | undefined {
      if (!enabled || !live || held(userId, tenantId, Date.now())) return undefined
      return { userId, tenantId, epoch }
    },

    /**
     * Stores a live session's state read after `capture`, until `expiresAt` (the session's own
     * end, on this node's clock) or the TTL, whichever comes first; unless a change of the user
     * or tenant was heard since, or the feed was lost meanwhile. `valueBytes`: what the value
     * holds beyond ids and roles (strings), for the byte bound.
     */
    store(capture: SessionCapture, key: string, value: V, expiresAt: number, valueBytes = 0): void {
      if (!live) return
      const { userId, tenantId } = capture
      const now = Date.now()
      if (held(userId, tenantId, now) || changedSince(userId, tenantId, capture.epoch)) return
      const bytes = ENTRY_BYTES + valueBytes
      lru.set(key, { userId, tenantId, epoch: capture.epoch, value }, bytes, Math.min(expiresAt, now + ttlMs))
    },

    /** Called when the signing keys change on any node (the token cache and key store reload). */
    onKeysChanged(listener: () => void): () => void {
      keyListeners.add(listener)
      return () => void keyListeners.delete(listener)
    },

    /** Starts listening; until the feed is live every check asks the database. */
    async start(): Promise<void> {
      await options.feed.start({
        notice: (payload) => {
          const change = parsePrincipalChange(payload)
          if (!change) return
          if (change.kind === 'keys') {
            for (const listener of keyListeners) listener()
            return
          }
          if (!enabled) return
          mark(change.kind === 'tenant' ? tenantMarks : userMarks, change.id)
          pending.delete(`${change.kind === 'tenant' ? 't' : 'u'} ${change.id}`)
        },
        // Anything cached before may have missed a change while the session was down.
        ready: () => {
          forgetAll()
          live = true
        },
        lost: () => {
          if (live) options.logger.warn('session cache disabled until the invalidation listener is back')
          live = false
          forgetAll()
        },
      })
    },

    async close(): Promise<void> {
      stopPending()
      live = false
      forgetAll()
      await options.feed.close()
    },

    /** Figures for tests and metrics. */
    stats: () => ({ enabled, live, entries: lru.size, epoch }),
  }
}
