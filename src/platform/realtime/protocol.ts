/**
 * The gateway's own events (docs/realtime.md, "Protocol"): joining and leaving rooms with
 * catch-up, typing, presence, refreshing the access token; and what the server tells a client
 * about its rooms and session. Registered through the same registry as modules' events, so they
 * are validated the same way and appear in the AsyncAPI document.
 */
import { Type } from 'typebox'
import { AppError } from '../errors.ts'
import type { RequestContext } from '../http/request-context.ts'
import type { Connections, LiveConnection } from './connections.ts'
import type { Credential, UserPrincipal } from './handshake.ts'
import type { RealtimeLimits } from './limits.ts'
import type { PresenceStore } from './presence.ts'
import { internalRoom, parseRoom, ROOM_PATTERN, type Registry } from './registry.ts'
import type { CatchUpPage, Refusal, RoomKind } from './realtime.types.ts'

const Room = Type.String({ pattern: ROOM_PATTERN.source, maxLength: 97, description: 'A room: `<kind>:<id>`' })
const Cursor = Type.String({ minLength: 1, maxLength: 512, description: 'The cursor of the last event seen' })
const Uuid = Type.String({ format: 'uuid', maxLength: 36 })

/** A problem document (RFC 9457) as acks and `problem` events carry it; self-contained (no $ref). */
export const RealtimeProblem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    code: Type.String({ description: 'Stable machine-readable code, e.g. ROOM_FORBIDDEN' }),
    requestId: Type.String(),
    errors: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), message: Type.String(), code: Type.String() })),
    ),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details' },
)

export const RoomJoin = Type.Object(
  { room: Room, cursor: Type.Optional(Cursor) },
  { additionalProperties: false, description: 'Join a room; with `cursor`, also get the events missed since it' },
)
const RoomLeave = Type.Object({ room: Room }, { additionalProperties: false })
const RoomHistory = Type.Object(
  { room: Room, cursor: Type.Optional(Cursor), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) },
  { additionalProperties: false },
)
const CatchUp = Type.Object({
  events: Type.Array(Type.Object({ event: Type.String(), payload: Type.Unknown(), cursor: Type.String() })),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})
const Typing = Type.Object({ room: Room }, { additionalProperties: false })
const AuthRefresh = Type.Object(
  { token: Type.String({ minLength: 10, maxLength: 4096 }) },
  { additionalProperties: false, description: 'A new access token of the same user, before the current one expires' },
)

const CATCH_UP_LIMIT = 50
/** What `idFormat: 'uuid'` admits: the 8-4-4-4-12 hex form PostgreSQL's uuid type parses. */
const UUID_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface ProtocolDeps {
  registry: Registry
  connections: Connections
  presence: PresenceStore
  limits: RealtimeLimits
  /** Checks a credential as the handshake does. */
  verify(credential: Credential): Promise<UserPrincipal>
  /** Sends a registered server event to a room except one connection and these users (typing). */
  broadcastExcept(
    connection: LiveConnection,
    room: string,
    event: string,
    payload: unknown,
    exceptUserIds?: readonly string[],
  ): void
}

export function registerProtocol(deps: ProtocolDeps): void {
  const { registry, connections, limits } = deps
  const connectionOf = (socketId: string) => {
    const connection = connections.get(socketId)
    if (!connection) throw new AppError('conflict', 'CONNECTION_CLOSED', 'This connection is closing')
    return connection
  }
  const kindOf = (room: string): [RoomKind, string] => {
    const parsed = parseRoom(room)!
    const kind = registry.roomKind(parsed.kind)
    if (!kind) throw new AppError('not_found', 'ROOM_KIND_UNKNOWN', `There are no rooms of kind "${parsed.kind}"`)
    // Checked once here for every event that names a room (join, history, presence).
    if (kind.idFormat === 'uuid' && !UUID_ID.test(parsed.id))
      throw new AppError('invalid', 'ROOM_ID_INVALID', `A ${parsed.kind} room's id is a UUID`)
    return [kind, parsed.id]
  }
  const refuseUnless = (decision: true | Refusal) => {
    if (decision !== true)
      throw new AppError(
        decision.status === 404 ? 'not_found' : decision.status === 409 ? 'conflict' : 'forbidden',
        decision.code,
        decision.detail,
      )
  }
  const mustBeIn = (rooms: ReadonlySet<string>, room: string) => {
    if (!rooms.has(room)) throw new AppError('conflict', 'NOT_IN_ROOM', `Join ${room} first`)
  }
  const history = async (ctx: RequestContext, kind: RoomKind, id: string, cursor: string | null, limit: number) => {
    if (!kind.catchUp) throw new AppError('not_found', 'NO_ROOM_HISTORY', 'Rooms of this kind keep no history')
    const page: CatchUpPage = await kind.catchUp(ctx, id, cursor, limit)
    // What the owner's database returns is held to the same contract as what it publishes.
    for (const { event, payload } of page.events) registry.checkServerEvent(event, payload)
    return page
  }

  registry.registerServerEvent(
    'room.evicted',
    Type.Object({ room: Room, reason: Type.Optional(Type.String({ maxLength: 200 })) }),
    { summary: 'You were removed from a room (membership ended, banned); do not rejoin unless allowed again' },
  )
  registry.registerServerEvent('typing', Type.Object({ room: Room, userId: Uuid }), {
    summary: 'Someone in the room is typing',
  })
  registry.registerServerEvent('session.ended', Type.Object({ code: Type.String(), detail: Type.String() }), {
    summary: 'The session this connection was opened with ended (sign-out, revocation, expiry); the server disconnects',
  })
  registry.registerServerEvent('problem', Type.Object({ event: Type.String(), error: RealtimeProblem }), {
    summary: 'A client event sent without an acknowledgement callback was refused',
  })

  registry.registerClientEvent(
    'room.join',
    RoomJoin,
    async (ctx, { room, cursor }, meta) => {
      const connection = connectionOf(meta.socketId)
      const [kind, id] = kindOf(room)
      if (!meta.rooms.has(room)) {
        if (meta.rooms.size >= limits.maxRoomsPerConnection)
          throw new AppError(
            'conflict',
            'TOO_MANY_ROOMS',
            `A connection may join at most ${limits.maxRoomsPerConnection} rooms`,
          )
        refuseUnless(await kind.authorise(ctx, id))
        const target = internalRoom(connection.tenantId, room)
        await connection.socket.join(target)
        // An eviction that committed between the check and the join found this socket outside the
        // room and left it there: asked again now that it is in, a refusal takes it back out.
        const again = await kind.authorise(ctx, id).catch(async (error: unknown) => {
          await connection.socket.leave(target)
          throw error
        })
        if (again !== true) await connection.socket.leave(target)
        refuseUnless(again)
      }
      if (cursor === undefined || !kind.catchUp) return { room }
      return { room, catchUp: await history(ctx, kind, id, cursor, CATCH_UP_LIMIT) }
    },
    {
      summary: 'Join a room after the server authorises it; with a cursor, the ack carries the events missed since',
      reply: Type.Object({ room: Room, catchUp: Type.Optional(CatchUp) }),
    },
  )

  registry.registerClientEvent(
    'room.leave',
    RoomLeave,
    async (_ctx, { room }, meta) => {
      const connection = connectionOf(meta.socketId)
      if (room === `user:${connection.userId}`)
        throw new AppError('invalid', 'USER_ROOM_PERMANENT', 'A connection stays in its own user room')
      await connection.socket.leave(internalRoom(connection.tenantId, room))
      return { room }
    },
    { summary: 'Leave a room', reply: Type.Object({ room: Room }) },
  )

  registry.registerClientEvent(
    'room.history',
    RoomHistory,
    async (ctx, { room, cursor, limit }, meta) => {
      mustBeIn(meta.rooms, room)
      const [kind, id] = kindOf(room)
      return history(ctx, kind, id, cursor ?? null, limit ?? CATCH_UP_LIMIT)
    },
    { summary: "A page of a joined room's events after a cursor (oldest first)", reply: CatchUp },
  )

  registry.registerClientEvent(
    'typing',
    Typing,
    async (ctx, { room }, meta) => {
      mustBeIn(meta.rooms, room)
      const connection = connectionOf(meta.socketId)
      const now = Date.now()
      // Repeats within the interval change nothing for the others: the indicator is already showing.
      if (now - (connection.typingAt.get(room) ?? 0) < limits.typingIntervalMs) return { broadcast: false }
      connection.typingAt.set(room, now)
      const [kind, id] = kindOf(room)
      // The kind's audience rule (e.g. a DM room: nobody in a block with the typist sees it).
      const withheld = kind.withheldFrom ? await kind.withheldFrom(ctx, id) : []
      deps.broadcastExcept(connection, room, 'typing', { room, userId: connection.userId }, withheld)
      return { broadcast: true }
    },
    {
      summary: 'Tell the room you are typing (at most one broadcast per room every few seconds)',
      reply: Type.Object({ broadcast: Type.Boolean() }),
    },
  )

  registry.registerClientEvent(
    'presence.query',
    Type.Object(
      { room: Room, userIds: Type.Array(Uuid, { minItems: 1, maxItems: limits.maxPresenceQuery, uniqueItems: true }) },
      { additionalProperties: false },
    ),
    async (ctx, { room, userIds }, meta) => {
      mustBeIn(meta.rooms, room)
      const [kind, id] = kindOf(room)
      // Only the room's members: presence never tells a stranger whether someone is online.
      const members = new Set(kind.members ? await kind.members(ctx, id, userIds) : [])
      const visible = userIds.filter((userId) => members.has(userId))
      const online = await deps.presence.online(ctx.tenantId!, visible)
      return { presence: visible.map((userId, i) => ({ userId, online: online[i] ?? false })) }
    },
    {
      summary: "Which of these members of a joined room are online (users who are not the room's members are left out)",
      reply: Type.Object({ presence: Type.Array(Type.Object({ userId: Uuid, online: Type.Boolean() })) }),
    },
  )

  registry.registerClientEvent(
    'auth.refresh',
    AuthRefresh,
    async (_ctx, { token }, meta) => {
      const connection = connectionOf(meta.socketId)
      const principal = await deps.verify({ kind: 'token', token })
      if (principal.userId !== connection.userId || principal.tenantId !== connection.tenantId)
        throw new AppError('forbidden', 'PRINCIPAL_MISMATCH', 'The new token must be of the same user and tenant')
      connection.principal = principal
      connection.credential = { kind: 'token', token }
      return {}
    },
    { summary: 'Replace the access token the connection is checked with', reply: Type.Object({}) },
  )

  // The one kind the platform owns: a user's own room, where their other modules' notices arrive.
  registry.registerRoomKind('user', {
    description: "A user's own room, joined automatically: events for that person on any of their devices",
    idFormat: 'uuid',
    async authorise(ctx, roomId) {
      return ctx.principal.kind === 'user' && ctx.principal.userId === roomId
        ? true
        : { code: 'ROOM_FORBIDDEN', detail: 'Only its user joins a user room' }
    },
    async members(ctx, roomId, userIds) {
      return userIds.filter((userId) => userId === roomId)
    },
  })
}
