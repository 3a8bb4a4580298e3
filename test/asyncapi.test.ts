/**
 * GET /asyncapi.json: the realtime protocol as an AsyncAPI 3 document, generated from the schemas
 * the gateway validates with, and valid for the AsyncAPI parser (no error diagnostics). A room
 * kind and events registered here, like a module's, appear in it with their own schemas.
 */
import { Parser } from '@asyncapi/parser'
import { Type } from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from './build-test-app.ts'

const ChatSend = Type.Object(
  { room: Type.String({ maxLength: 97 }), text: Type.String({ minLength: 1, maxLength: 4000 }) },
  { additionalProperties: false },
)
const ChatMessage = Type.Object({ id: Type.String({ format: 'uuid' }), text: Type.String() })

let t: TestApp
let document: Record<string, any>
beforeAll(async () => {
  t = await buildTestApp({
    realtime: {
      register(gateway) {
        gateway.registerRoomKind('demo', { description: 'A test room', authorise: async () => true })
        gateway.registerServerEvent('demo.message', ChatMessage, { summary: 'A message in a chat' })
        gateway.registerClientEvent('demo.send', ChatSend, async () => ({ id: 'x' }), {
          summary: 'Send a message',
          reply: Type.Object({ id: Type.String() }),
        })
      },
    },
  })
  const response = await t.app.inject({ method: 'GET', url: '/asyncapi.json' })
  expect(response.statusCode).toBe(200)
  document = response.json()
})
afterAll(async () => t?.close())

describe('the AsyncAPI document', () => {
  it('is a valid AsyncAPI 3 document for the parser', async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document))
    const errors = diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('/')}: ${d.message}`)
    expect(errors).toEqual([])
    expect(parsed?.version()).toBe('3.0.0')
    const operations = parsed!
      .operations()
      .all()
      .map((o) => o.id())
    expect(operations).toEqual(
      expect.arrayContaining([
        'send.demo.send',
        'send.room.join',
        'receive.demo.message',
        // The modules' own events (chat, social) are in the same document.
        'send.chat.send',
        'send.dm.send',
        'receive.chat.message.created',
        'receive.dm.message.created',
      ]),
    )
  })

  it('is generated from the schemas the gateway validates with', () => {
    expect(document.components.messages['demo.send'].payload).toEqual(JSON.parse(JSON.stringify(ChatSend)))
    expect(document.components.messages['server.demo.message'].payload).toEqual(JSON.parse(JSON.stringify(ChatMessage)))
    const ack = document.components.messages['demo.send.ack'].payload
    expect(JSON.stringify(ack)).toContain('"data"')
    expect(document.channels.room.parameters.kind.enum).toEqual(
      expect.arrayContaining(['user', 'demo', 'channel', 'dm', 'course']),
    )
    expect(document.operations['send.demo.send'].reply.messages).toEqual([
      { $ref: '#/channels/connection/messages/demo.send.ack' },
    ])
  })

  it('is public and listed in the OpenAPI document', async () => {
    const openapi = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    expect(openapi.paths['/asyncapi.json'].get.operationId).toBe('getAsyncApiDocument')
  })
})
