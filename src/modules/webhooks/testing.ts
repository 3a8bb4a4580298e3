/**
 * Test support for outgoing webhooks: a receiver on loopback whose answers a test scripts (status,
 * headers, a hang), a public event catalogue of two existing domain event types, and publishing
 * domain events the way a module does. Imported by tests only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { Type } from 'typebox'
import { tenantScope, type Database } from '../../platform/db/database.ts'
import type { Events } from '../../platform/events/events.ts'
import { createPublicEventCatalogue, type PublicEventCatalogue } from '../../platform/events/public-events.ts'
import { systemContext } from '../../platform/http/request-context.ts'
import { COURSE_ARCHIVED, COURSE_PUBLISHED } from '../catalogue/catalogue.events.ts'

export interface Received {
  /** The request's path: tests give each endpoint its own (`${receiver.url}/<name>`). */
  path: string
  id: string
  timestamp: string
  signature: string
  body: string
  headers: Record<string, string>
  /** What the receiver answered (undefined: it hung). */
  status: number | undefined
}

export interface Answer {
  status: number
  headers?: Record<string, string>
  body?: string
  /** Never answer: the sender's deadline ends the request. */
  hang?: boolean
}

export interface Receiver {
  url: string
  received: Received[]
  /** The most requests one path had open at once (a hung request stays open until the sender gives up). */
  maxOpen: Map<string, number>
  /** Decides each answer; replace it at any time. */
  answer: (request: Received) => Answer
  close(): Promise<void>
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

/** An HTTP receiver on 127.0.0.1 answering 204 unless told otherwise. */
export async function startReceiver(path = '/hooks'): Promise<Receiver> {
  const sockets = new Set<Socket>()
  const receiver: Receiver = {
    url: '',
    received: [],
    maxOpen: new Map(),
    answer: () => ({ status: 204 }),
    close: async () => {},
  }
  const open = new Map<string, number>()
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? ''
    open.set(path, (open.get(path) ?? 0) + 1)
    receiver.maxOpen.set(path, Math.max(receiver.maxOpen.get(path) ?? 0, open.get(path) ?? 0))
    response.on('close', () => open.set(path, (open.get(path) ?? 1) - 1))
    void readBody(request).then((body) => {
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.join(', ') : (value ?? ''),
        ]),
      )
      const received: Received = {
        path,
        id: headers['webhook-id'] ?? '',
        timestamp: headers['webhook-timestamp'] ?? '',
        signature: headers['webhook-signature'] ?? '',
        body,
        headers,
        status: undefined,
      }
      const answer = receiver.answer(received)
      if (!answer.hang) received.status = answer.status
      receiver.received.push(received)
      if (answer.hang) return
      response.writeHead(answer.status, answer.headers ?? {})
      response.end(answer.body ?? '')
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  receiver.url = `http://127.0.0.1:${port}${path}`
  receiver.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })
  return receiver
}

/** Two existing domain event types made public the way a module would declare them. */
export function testPublicEvents(): PublicEventCatalogue {
  const courseId = '0b6f3f63-62f5-4a39-9a4e-3f1fe5d1c3a1'
  return createPublicEventCatalogue([
    {
      type: COURSE_PUBLISHED,
      version: 1,
      summary: 'A version of a course was published',
      schema: Type.Object({ courseId: Type.String(), versionNumber: Type.Integer() }),
      example: { courseId, versionNumber: 1 },
      toPublic: (payload) => ({ courseId: String(payload.courseId), versionNumber: Number(payload.versionNumber) }),
      resourceOf: (payload) => `course:${String(payload.courseId)}`,
    },
    {
      type: COURSE_ARCHIVED,
      version: 1,
      summary: 'A course left the catalogue',
      schema: Type.Object({ courseId: Type.String() }),
      example: { courseId },
      toPublic: (payload) => ({ courseId: String(payload.courseId) }),
      resourceOf: (payload) => `course:${String(payload.courseId)}`,
    },
  ])
}

/** Publishes domain events of a tenant in one transaction, as a module's service would; returns their ids. */
export async function publishEvents(
  deps: { database: Database; events: Events },
  tenantId: string,
  events: Array<{ type: string; payload: Record<string, unknown> }>,
): Promise<string[]> {
  const ctx = systemContext(deps.database, tenantId, 'test:webhooks')
  return deps.database.transaction(tenantScope(tenantId), async (tx) => {
    const ids: string[] = []
    for (const event of events) ids.push(await deps.events.publish(tx, ctx, event))
    return ids
  })
}
