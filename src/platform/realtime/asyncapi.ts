/**
 * The AsyncAPI 3 document of the realtime protocol, generated from the registry: the very TypeBox
 * schemas that validate client events and published server events, the acknowledgement of each
 * client event (its reply schema), and the room kinds modules registered. Nothing here is written
 * by hand per event, so the document cannot drift from what the gateway enforces. Served at
 * GET /asyncapi.json; test/asyncapi.test.ts validates it with @asyncapi/parser.
 */
import { Type, type TSchema } from 'typebox'
import { SESSION_COOKIE } from '../http/cookie-auth.ts'
import { REALTIME_PATH } from './gateway.ts'
import type { RealtimeLimits } from './limits.ts'
import { RealtimeProblem } from './protocol.ts'
import type { Registry } from './registry.ts'

export interface AsyncApiSettings {
  publicUrl: string
  baseDomain: string
  limits: RealtimeLimits
}

type Json = Record<string, unknown>

/** Plain JSON Schema: TypeBox's symbols dropped, `$id`s removed so no two schemas claim one id. */
function plain(schema: TSchema): Json {
  return JSON.parse(JSON.stringify(schema), (key, value: unknown) => (key === '$id' ? undefined : value)) as Json
}

const ackOf = (reply: TSchema | undefined) =>
  Type.Union([
    Type.Object({ ok: Type.Literal(true), ...(reply ? { data: reply } : {}) }),
    Type.Object({ ok: Type.Literal(false), error: RealtimeProblem }),
  ])

const ref = (path: string) => ({ $ref: `#/${path}` })

function servers(settings: AsyncApiSettings): Json {
  const url = new URL(settings.publicUrl)
  const protocol = url.protocol === 'https:' ? 'wss' : 'ws'
  const port = url.port ? `:${url.port}` : ''
  const security = [ref('components/securitySchemes/accessToken'), ref('components/securitySchemes/browserSession')]
  return {
    public: {
      host: url.host,
      protocol,
      pathname: REALTIME_PATH,
      description: 'PUBLIC_URL (tenant from the token)',
      security,
    },
    tenant: {
      host: `{tenant}.${settings.baseDomain}${port}`,
      protocol,
      pathname: REALTIME_PATH,
      description: "A tenant's host: the token's tenant must be the host's",
      variables: { tenant: { default: 'demo', description: "The tenant's slug" } },
      security,
    },
  }
}

export function asyncApiDocument(registry: Registry, settings: AsyncApiSettings): Json {
  const { roomKinds, clientEvents, serverEvents } = registry.contract()
  const { limits } = settings
  const connectionMessages: Json = {}
  const roomMessages: Json = {}
  const componentMessages: Json = {}
  const operations: Json = {}

  for (const [name, event] of clientEvents) {
    componentMessages[name] = {
      name,
      title: name,
      ...(event.options.summary ? { summary: event.options.summary } : {}),
      payload: plain(event.schema),
    }
    componentMessages[`${name}.ack`] = {
      name: `${name} acknowledgement`,
      summary: '`{ ok: true, data? }`, or `{ ok: false, error }` with a problem document',
      payload: plain(ackOf(event.options.reply)),
    }
    connectionMessages[name] = ref(`components/messages/${name}`)
    connectionMessages[`${name}.ack`] = ref(`components/messages/${name}.ack`)
    operations[`send.${name}`] = {
      action: 'send',
      channel: ref('channels/connection'),
      ...(event.options.summary ? { summary: event.options.summary } : {}),
      messages: [ref(`channels/connection/messages/${name}`)],
      reply: {
        channel: ref('channels/connection'),
        messages: [ref(`channels/connection/messages/${name}.ack`)],
      },
    }
  }
  for (const [name, event] of serverEvents) {
    componentMessages[`server.${name}`] = {
      name,
      title: name,
      ...(event.options.summary ? { summary: event.options.summary } : {}),
      payload: plain(event.schema),
    }
    roomMessages[name] = ref(`components/messages/server.${name}`)
    operations[`receive.${name}`] = {
      action: 'receive',
      channel: ref('channels/room'),
      ...(event.options.summary ? { summary: event.options.summary } : {}),
      messages: [ref(`channels/room/messages/${name}`)],
    }
  }

  const kinds = [...roomKinds.entries()]
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Lyceum realtime',
      version: '1.0.0',
      description: [
        `Socket.IO 4 at \`${REALTIME_PATH}\`. Authenticate with \`io(url, { path: '${REALTIME_PATH}', auth: { token } })\``,
        'or a browser-session cookie from a trusted origin. Every client event takes one payload and an',
        'acknowledgement callback. Limits: messages up to',
        `${limits.maxMessageBytes} bytes, ${limits.eventsPerSecond} events/s per connection (burst ${limits.eventBurst}),`,
        `${limits.maxConnectionsPerUser} connections per user, presence TTL ${limits.presenceTtlMs / 1000} s.`,
      ].join(' '),
    },
    defaultContentType: 'application/json',
    servers: servers(settings),
    channels: {
      connection: {
        address: REALTIME_PATH,
        title: 'The connection',
        description: 'Events a client sends, and their acknowledgements',
        messages: connectionMessages,
      },
      room: {
        address: '{kind}:{roomId}',
        title: 'A room',
        description: [
          'Events the server sends to everyone in a room. Room kinds:',
          ...kinds.map(([kind, room]) => `\`${kind}\` (${room.description})`),
        ].join(' '),
        parameters: {
          kind: { enum: kinds.map(([kind]) => kind), description: 'The room kind (registered by its module)' },
          roomId: { description: 'The id of what the room is about (a user, a channel, a thread)' },
        },
        messages: roomMessages,
      },
    },
    operations,
    components: {
      messages: componentMessages,
      securitySchemes: {
        accessToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An access token, sent in the Socket.IO auth payload `{ token }`; refresh it with auth.refresh',
        },
        browserSession: {
          type: 'httpApiKey',
          name: SESSION_COOKIE,
          in: 'cookie',
          description:
            "The browser-session cookie; the handshake's Origin must be the tenant's host, PUBLIC_URL or CORS_ORIGINS",
        },
      },
    },
  }
}
