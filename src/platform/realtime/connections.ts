/**
 * This node's live connections, indexed by connection id and by user (revocation notices name a
 * user), and the request context each client event runs with.
 */
import { randomUUID } from 'node:crypto'
import type { Socket } from 'socket.io'
import type { Database } from '../db/database.ts'
import { createRequestContext, type RequestContext } from '../http/request-context.ts'
import type { Credential, UserPrincipal } from './handshake.ts'
import type { EventBudget } from './limits.ts'

export interface LiveConnection {
  readonly socket: Socket
  readonly tenantId: string
  readonly userId: string
  /** Replaced by every successful session check (current roles) and by auth.refresh. */
  principal: UserPrincipal
  credential: Credential
  readonly budget: EventBudget
  /** Last typing broadcast per room (ms). */
  readonly typingAt: Map<string, number>
  /** A session check is running (checks of one connection never overlap). */
  checking: boolean
  /** Being dropped (slow consumer, abuse, session end): no second drop. */
  dropping: boolean
}

export function createConnections(database: Database) {
  const byId = new Map<string, LiveConnection>()
  const byUser = new Map<string, Set<LiveConnection>>()
  return {
    add(connection: LiveConnection): void {
      byId.set(connection.socket.id, connection)
      let mine = byUser.get(connection.userId)
      if (!mine) byUser.set(connection.userId, (mine = new Set()))
      mine.add(connection)
    },
    remove(connection: LiveConnection): void {
      byId.delete(connection.socket.id)
      const mine = byUser.get(connection.userId)
      mine?.delete(connection)
      if (mine?.size === 0) byUser.delete(connection.userId)
    },
    get: (socketId: string) => byId.get(socketId),
    ofUser: (userId: string) => [...(byUser.get(userId) ?? [])],
    ofTenant: (tenantId: string) => [...byId.values()].filter((c) => c.tenantId === tenantId),
    all: () => [...byId.values()],
    get size() {
      return byId.size
    },
    /** A fresh request context per client event: the principal as last checked. */
    contextOf(connection: LiveConnection): RequestContext {
      return createRequestContext({
        requestId: randomUUID(),
        principal: connection.principal,
        tenantId: connection.tenantId,
        ip: connection.socket.handshake.address,
        database,
      })
    },
  }
}

export type Connections = ReturnType<typeof createConnections>

/** The public names (`<kind>:<id>`) of the rooms a connection has joined. */
export function joinedRooms(connection: LiveConnection): Set<string> {
  const prefix = `${connection.tenantId}/`
  const rooms = new Set<string>()
  for (const room of connection.socket.rooms) if (room.startsWith(prefix)) rooms.add(room.slice(prefix.length))
  return rooms
}
