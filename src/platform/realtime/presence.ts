/**
 * Presence with a TTL: which users of a tenant have a live connection. Each connection is an
 * entry that expires `ttlMs` after its last heartbeat (the gateway refreshes its own connections
 * every third of the TTL, and removes an entry when its connection closes), so a node that dies
 * takes its users offline within the TTL without anyone cleaning up after it.
 *
 * With Redis the entries are shared by every node: one sorted set per user (`rt:presence:<tenant>:
 * <user>`), member = connection id, score = expiry in ms; the key itself expires with its last
 * entry. Without Redis the same structure lives in process (a single node, `serve`).
 */
import type { Redis } from 'ioredis'

export interface PresenceEntry {
  tenantId: string
  userId: string
  socketId: string
}

export interface PresenceStore {
  /** Records or refreshes live connections (one round trip for all of them). */
  touch(entries: readonly PresenceEntry[]): Promise<void>
  remove(entry: PresenceEntry): Promise<void>
  /** How many live connections the user has, on every node (the per-user connection cap). */
  connections(tenantId: string, userId: string): Promise<number>
  /** Whether each user has at least one live connection, in the order asked. */
  online(tenantId: string, userIds: readonly string[]): Promise<boolean[]>
}

const key = (tenantId: string, userId: string) => `rt:presence:${tenantId}:${userId}`

export function redisPresence(redis: Redis, ttlMs: number): PresenceStore {
  return {
    async touch(entries) {
      if (entries.length === 0) return
      const now = Date.now()
      const pipeline = redis.pipeline()
      for (const { tenantId, userId, socketId } of entries) {
        const k = key(tenantId, userId)
        pipeline.zremrangebyscore(k, '-inf', now)
        pipeline.zadd(k, now + ttlMs, socketId)
        pipeline.pexpire(k, ttlMs)
      }
      await pipeline.exec()
    },
    async remove({ tenantId, userId, socketId }) {
      await redis.zrem(key(tenantId, userId), socketId)
    },
    async connections(tenantId, userId) {
      return redis.zcount(key(tenantId, userId), `(${Date.now()}`, '+inf')
    },
    async online(tenantId, userIds) {
      if (userIds.length === 0) return []
      const now = `(${Date.now()}`
      const pipeline = redis.pipeline()
      for (const userId of userIds) pipeline.zcount(key(tenantId, userId), now, '+inf')
      const results = (await pipeline.exec()) ?? []
      return results.map(([error, count]) => {
        if (error) throw error
        return Number(count) > 0
      })
    },
  }
}

export function memoryPresence(ttlMs: number): PresenceStore {
  /** user key → connection id → expiry (ms). */
  const users = new Map<string, Map<string, number>>()
  const live = (k: string, now: number) => {
    const connections = users.get(k)
    if (!connections) return 0
    for (const [socketId, expiry] of connections) if (expiry <= now) connections.delete(socketId)
    if (connections.size === 0) users.delete(k)
    return connections.size
  }
  return {
    async touch(entries) {
      const expiry = Date.now() + ttlMs
      for (const { tenantId, userId, socketId } of entries) {
        const k = key(tenantId, userId)
        let connections = users.get(k)
        if (!connections) users.set(k, (connections = new Map()))
        connections.set(socketId, expiry)
      }
    },
    async remove({ tenantId, userId, socketId }) {
      const k = key(tenantId, userId)
      users.get(k)?.delete(socketId)
      live(k, Date.now())
    },
    async connections(tenantId, userId) {
      return live(key(tenantId, userId), Date.now())
    },
    async online(tenantId, userIds) {
      const now = Date.now()
      return userIds.map((userId) => live(key(tenantId, userId), now) > 0)
    },
  }
}
