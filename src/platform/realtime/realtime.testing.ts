/**
 * Real socket.io-client connections against a real listening app, for the realtime tests.
 */
import { io, type Socket } from 'socket.io-client'
import { REALTIME_PATH } from './gateway.ts'
import type { Ack } from './realtime.types.ts'

export interface ConnectOptions {
  /** The tenant's host (`<slug>.localhost`), sent as Host. */
  host?: string
  token?: string
  /** Anything to put in the auth payload instead of `{ token }`. */
  auth?: Record<string, unknown>
  cookie?: string
  origin?: string
  transports?: Array<'websocket' | 'polling'>
}

/** Listens on a free loopback port; returns the base URL. */
export async function listen(lyceum: {
  app: { listen(options: { host: string; port: number }): Promise<string> }
}): Promise<string> {
  return lyceum.app.listen({ host: '127.0.0.1', port: 0 })
}

/** A client that never reconnects by itself (each test decides). */
export function client(url: string, options: ConnectOptions = {}): Socket {
  const headers: Record<string, string> = {}
  if (options.host) headers.host = options.host
  if (options.cookie) headers.cookie = options.cookie
  if (options.origin) headers.origin = options.origin
  return io(url, {
    path: REALTIME_PATH,
    transports: options.transports ?? ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: options.auth ?? (options.token ? { token: options.token } : {}),
    extraHeaders: headers,
    timeout: 10_000,
  })
}

export interface HandshakeRefusal {
  message: string
  data?: { status: number; code: string }
}

/** Resolves when connected, rejects with the server's refusal (connect_error) otherwise. */
export function connected(socket: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve(socket)
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', (error) => reject(error as unknown as HandshakeRefusal))
  })
}

/** Connects, or returns the refusal (for tests that expect one). */
export async function refusal(socket: Socket): Promise<HandshakeRefusal> {
  try {
    await connected(socket)
  } catch (error) {
    socket.close()
    return error as HandshakeRefusal
  }
  socket.close()
  throw new Error('the handshake was accepted')
}

/** Emits a client event and waits for its acknowledgement. */
export function request(socket: Socket, event: string, payload: unknown, timeoutMs = 10_000): Promise<Ack> {
  return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<Ack>
}

/** The next `event` the socket receives, or a rejection after `timeoutMs`. */
export function nextEvent<T = unknown>(socket: Socket, event: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs)
    socket.once(event, (payload: T) => {
      clearTimeout(timer)
      resolve(payload)
    })
  })
}

/** Collects every `event` the socket receives from now on. */
export function collect<T = unknown>(socket: Socket, event: string): T[] {
  const seen: T[] = []
  socket.on(event, (payload: T) => seen.push(payload))
  return seen
}

/** Resolves with the disconnect reason. */
export function disconnected(socket: Socket, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!socket.connected) return resolve('already disconnected')
    const timer = setTimeout(() => reject(new Error(`still connected after ${timeoutMs} ms`)), timeoutMs)
    socket.once('disconnect', (reason) => {
      clearTimeout(timer)
      resolve(reason)
    })
  })
}

/** Polls until `check` holds (a bound, not a timing assertion). */
export async function eventually(check: () => boolean | Promise<boolean>, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${limitMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
