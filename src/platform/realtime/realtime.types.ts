/**
 * What modules see of the realtime gateway (docs/realtime.md, ADR 0029). The platform declares
 * these interfaces and modules implement the room kinds and client events they own, like
 * `TenantDirectory`: the gateway imports no module.
 */
import type { Static, TSchema } from 'typebox'
import type { RequestContext } from '../http/request-context.ts'
import type { Problem } from '../http/problem.ts'

/** Why a join (or another client request) was refused; becomes the ack's problem (403 by default). */
export interface Refusal {
  code: string
  detail: string
  /** HTTP-like status of the problem; 403 unless the room does not exist for the caller (404). */
  status?: 403 | 404 | 409
}

/** `true` lets the caller in; anything else is the reason they stay out. */
export type Authorisation = true | Refusal

/** One missed event of a room, as the owner's database has it. */
export interface CatchUpEvent {
  /** A registered server event. */
  event: string
  payload: unknown
  /** The position of this event; the client sends the last one it saw when it rejoins. */
  cursor: string
}

export interface CatchUpPage {
  events: CatchUpEvent[]
  /** Non-null when more events follow: ask again from here (`room.history`). */
  nextCursor: string | null
}

/**
 * A kind of room (`<kind>:<id>`) registered by the module that owns what the room is about. Every
 * join is authorised here, on the server, with the caller's current principal.
 */
export interface RoomKind {
  /** What a room of this kind is (the AsyncAPI document shows it). */
  description: string
  /**
   * The form of the room's id, checked by the gateway before authorise, catchUp or members run
   * (400 ROOM_ID_INVALID): an id that cannot exist never reaches the database (a non-UUID sent to
   * a uuid column is a PostgreSQL error, a 500). Absent: any id ROOM_PATTERN allows.
   */
  idFormat?: 'uuid'
  /** Whether the caller may join room `roomId` now. */
  authorise(ctx: RequestContext, roomId: string): Promise<Authorisation>
  /**
   * The room's events after `cursor` (null: the latest `limit`), oldest first, read from the
   * database: what a client missed while disconnected. Absent: the kind has no history.
   */
  catchUp?(ctx: RequestContext, roomId: string, cursor: string | null, limit: number): Promise<CatchUpPage>
  /**
   * Which of `userIds` belong to the room (its members, not only who is connected). presence.query
   * answers only for these; without it the kind answers presence for nobody.
   */
  members?(ctx: RequestContext, roomId: string, userIds: string[]): Promise<string[]>
  /**
   * Who in the room must not receive the caller's ephemeral signals (typing), e.g. those in a
   * block with them. Absent: everyone in the room receives them.
   */
  withheldFrom?(ctx: RequestContext, roomId: string): Promise<string[]>
}

export interface PublishOptions {
  /** Users in the room who must not receive this event (their every connection is skipped). */
  exceptUserIds?: readonly string[]
}

/** What a client-event handler gets besides the validated payload. */
export interface ClientEventMeta {
  socketId: string
  /** The public names (`<kind>:<id>`) of the rooms this connection has joined. */
  rooms: ReadonlySet<string>
}

export type ClientEventHandler<S extends TSchema> = (
  ctx: RequestContext,
  payload: Static<S>,
  meta: ClientEventMeta,
) => Promise<unknown>

export interface EventOptions {
  summary?: string
  /** The schema of the ack's `data` (client events); documented in the AsyncAPI document. */
  reply?: TSchema
}

/** The acknowledgement of every client event. */
export type Ack = { ok: true; data?: unknown } | { ok: false; error: Problem }

export interface Eviction {
  tenantId: string
  kind: string
  roomId: string
  /** Whose connections leave; absent: every connection in the room (the room closes). */
  userId?: string
  /** Told to the evicted client in `room.evicted`. */
  reason?: string
}

export interface Presence {
  userId: string
  online: boolean
}

/** The gateway's API for modules (wired in app-realtime.ts). */
export interface RealtimeGateway {
  registerRoomKind(kind: string, room: RoomKind): void
  registerServerEvent<S extends TSchema>(name: string, schema: S, options?: EventOptions): void
  registerClientEvent<S extends TSchema>(
    name: string,
    schema: S,
    handler: ClientEventHandler<S>,
    options?: EventOptions,
  ): void
  /**
   * Sends a registered server event to everyone in `room` (`<kind>:<id>`) of the tenant, on every
   * node, except `options.exceptUserIds`. The payload is validated against the event's schema
   * first; an invalid one throws (a bug).
   */
  publish(tenantId: string, room: string, event: string, payload: unknown, options?: PublishOptions): void
  /**
   * Removes the user's connections (or, without userId, every connection) from the room on every
   * node and tells them (`room.evicted`). This node's sockets leave at once; the promise resolves
   * once every node has confirmed that none of them is left in the room, and rejects when a node
   * did not answer in time or one still is (an outbox subscriber that awaits it is retried).
   */
  evict(eviction: Eviction): Promise<void>
  /** Whether each user has a live connection to any node (heartbeat within the presence TTL). */
  presenceOf(tenantId: string, userIds: readonly string[]): Promise<Presence[]>
}
