/**
 * The gateway's contract: the room kinds, the client events (with their handlers) and the server
 * events modules register. The same compiled TypeBox schemas validate every message and generate
 * the AsyncAPI document (asyncapi.ts), so the document cannot drift from what is enforced.
 * Registration closes when the gateway starts: the contract is fixed for the process's life.
 */
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { Format } from 'typebox/format'
import type { Validator } from 'typebox/compile'
import type { FieldError } from '../errors.ts'
import { isCanonicalUuid } from '../http/uuid-format.ts'
import type { ClientEventHandler, EventOptions, RoomKind } from './realtime.types.ts'

export const KIND_PATTERN = /^[a-z][a-z0-9-]{0,31}$/
/** Room ids are module ids (UUIDs, slugs): no separator, no whitespace, bounded. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/
/** A public room name: `<kind>:<id>`. */
export const ROOM_PATTERN = /^([a-z][a-z0-9-]{0,31}):([A-Za-z0-9_-]{1,64})$/
const EVENT_PATTERN = /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)*$/
/** Names Socket.IO itself uses on a socket or a client. */
const RESERVED_EVENTS = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'error',
  'message',
  'newListener',
  'removeListener',
])

interface Checked<S extends TSchema> {
  schema: S
  validator: Validator
  options: EventOptions
}

export interface ClientEvent<S extends TSchema = TSchema> extends Checked<S> {
  handler: ClientEventHandler<S>
}

export type ServerEvent = Checked<TSchema>

export interface ParsedRoom {
  kind: string
  id: string
}

export function parseRoom(room: unknown): ParsedRoom | undefined {
  if (typeof room !== 'string') return undefined
  const match = ROOM_PATTERN.exec(room)
  return match?.[1] && match[2] ? { kind: match[1], id: match[2] } : undefined
}

/** Socket.IO's own room name: tenant-qualified, so two tenants' rooms never meet. */
export const internalRoom = (tenantId: string, room: string) => `${tenantId}/${room}`

/** At most ten field errors, as problem documents list them. */
export function fieldErrors(validator: Validator, value: unknown): FieldError[] {
  return validator
    .Errors(value)
    .slice(0, 10)
    .map((error) => ({ path: error.instancePath || '/', message: error.message, code: error.keyword }))
}

export function createRegistry() {
  // Socket events take ids in the spelling HTTP takes (uuid-format.ts); TypeBox's own format allows upper case.
  Format.Set('uuid', isCanonicalUuid)
  const roomKinds = new Map<string, RoomKind>()
  const clientEvents = new Map<string, ClientEvent>()
  const serverEvents = new Map<string, ServerEvent>()
  let closed = false

  const open = (what: string) => {
    if (closed) throw new Error(`realtime: ${what} registered after the gateway started`)
  }
  const checkName = (name: string, kind: 'client' | 'server') => {
    if (!EVENT_PATTERN.test(name) || name.length > 64 || RESERVED_EVENTS.has(name))
      throw new Error(`realtime: "${name}" is not a valid event name`)
    const registered = kind === 'client' ? clientEvents : serverEvents
    if (registered.has(name)) throw new Error(`realtime: ${kind} event "${name}" is registered twice`)
  }

  return {
    registerRoomKind(kind: string, room: RoomKind): void {
      open(`room kind "${kind}"`)
      if (!KIND_PATTERN.test(kind)) throw new Error(`realtime: "${kind}" is not a valid room kind`)
      if (roomKinds.has(kind)) throw new Error(`realtime: room kind "${kind}" is registered twice`)
      roomKinds.set(kind, room)
    },
    registerServerEvent<S extends TSchema>(name: string, schema: S, options: EventOptions = {}): void {
      open(`server event "${name}"`)
      checkName(name, 'server')
      serverEvents.set(name, { schema, validator: Compile(schema) as Validator, options })
    },
    registerClientEvent<S extends TSchema>(
      name: string,
      schema: S,
      handler: ClientEventHandler<S>,
      options: EventOptions = {},
    ): void {
      open(`client event "${name}"`)
      checkName(name, 'client')
      clientEvents.set(name, {
        schema,
        validator: Compile(schema) as Validator,
        options,
        handler: handler as ClientEventHandler<TSchema>,
      })
    },
    roomKind: (kind: string) => roomKinds.get(kind),
    clientEvent: (name: string) => clientEvents.get(name),
    serverEvent: (name: string) => serverEvents.get(name),
    /** Throws when `payload` is not a valid `event` (publishing an invalid event is a bug of the publisher). */
    checkServerEvent(event: string, payload: unknown): void {
      const definition = serverEvents.get(event)
      if (!definition) throw new Error(`realtime: server event "${event}" is not registered`)
      if (!definition.validator.Check(payload)) {
        const problems = fieldErrors(definition.validator, payload).map((e) => `${e.path} ${e.message}`)
        throw new Error(`realtime: invalid "${event}" payload: ${problems.join('; ')}`)
      }
    },
    close(): void {
      closed = true
    },
    /** Everything registered, for the AsyncAPI document. */
    contract: () => ({ roomKinds, clientEvents, serverEvents }),
  }
}

export type Registry = ReturnType<typeof createRegistry>
