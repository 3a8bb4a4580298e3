/**
 * A connection lives no longer than its session: it is checked again (its credential verified as
 * at the handshake, the tenant still active) when a principal-change notice names its user or
 * tenant (ADR 0018's triggers, heard by every node), on an interval, and after the notice feed was
 * lost. A check that refuses ends the connection with `session.ended`.
 */
import type { Logger } from 'pino'
import type { FeedHandlers } from '../cache/invalidation-feed.ts'
import { parsePrincipalChange } from '../cache/principal-changes.ts'
import { AppError, isAppError } from '../errors.ts'
import type { Connections, LiveConnection } from './connections.ts'
import { verifyCredential, type HandshakeDeps } from './handshake.ts'

export interface SessionCheckDeps {
  connections: Connections
  logger: Logger
  /** Undefined until the gateway is attached. */
  handshake(): HandshakeDeps | undefined
  endSession(connection: LiveConnection, error: AppError): void
}

export function createSessionChecks(deps: SessionCheckDeps) {
  const { connections, logger } = deps
  /** Connections whose check was asked while one ran: it runs again right after. */
  const again = new WeakSet<LiveConnection>()
  let feedLost = false

  async function verify(connection: LiveConnection, handshake: HandshakeDeps): Promise<void> {
    const principal = await verifyCredential(handshake, connection.credential)
    const tenant = await handshake.tenants.byId(connection.tenantId)
    if (principal.userId !== connection.userId || principal.tenantId !== connection.tenantId)
      throw new AppError('unauthenticated', 'SESSION_ENDED', 'The session now belongs to someone else')
    if (tenant?.status !== 'active') throw new AppError('forbidden', 'TENANT_SUSPENDED', 'This tenant is suspended')
    connection.principal = principal
  }

  async function check(connection: LiveConnection): Promise<void> {
    const handshake = deps.handshake()
    if (connection.dropping || !handshake) return
    if (connection.checking) {
      again.add(connection)
      return
    }
    connection.checking = true
    try {
      await verify(connection, handshake)
    } catch (error) {
      if (isAppError(error) && error.status < 500) deps.endSession(connection, error)
      else logger.warn({ err: error }, 'realtime session check failed; the connection is kept until the next one')
    } finally {
      connection.checking = false
    }
    if (again.delete(connection)) await check(connection)
  }

  const checkAll = (list: LiveConnection[]) => {
    for (const connection of list) void check(connection)
  }

  const feed: FeedHandlers = {
    notice(payload) {
      const change = parsePrincipalChange(payload)
      if (change?.kind === 'user') checkAll(connections.ofUser(change.id))
      else if (change?.kind === 'tenant') checkAll(connections.ofTenant(change.id))
    },
    ready() {
      // A notice may have been missed while the feed was down: check every connection.
      if (feedLost) checkAll(connections.all())
      feedLost = false
    },
    lost() {
      feedLost = true
    },
  }

  return { checkAll: () => checkAll(connections.all()), feed }
}
