/**
 * Chat: messages of community channels (docs/chat.md) — send, edit, delete, reactions, read
 * receipts, catch-up — with access decided by community's channelAccess on every path. Owns the
 * `chat` schema. Registers the `channel:` room kind with the realtime gateway (chat.realtime.ts).
 */
import type { Events, EventPublisher } from '../../platform/events/events.ts'
import type { App } from '../../platform/http/server.ts'
import type { RealtimeGateway } from '../../platform/realtime/realtime.types.ts'
import { registerChatRealtime } from './chat.realtime.ts'
import { chatRoutes } from './chat.routes.ts'
import { createChatService, DEFAULT_CHAT_SENDS_PER_MINUTE } from './chat.service.ts'

export { messagesAfter } from './chat.service.ts'
export {
  channelMessageFacts,
  readableChannelMessage,
  setChannelMessageHidden,
  type ChannelMessageFacts,
} from './content-moderation.ts'
export type { ChatMessage } from './chat.schemas.ts'
export * from './chat.events.ts'

export interface ChatDeps {
  events: EventPublisher
  /** Channel messages per member and minute (default 20). */
  sendsPerMinute?: number
}

export function createChatModule(deps: ChatDeps) {
  const sendsPerMinute = deps.sendsPerMinute ?? DEFAULT_CHAT_SENDS_PER_MINUTE
  const service = createChatService({ events: deps.events, sendsPerMinute })
  return {
    routes: async function chatModuleRoutes(app: App) {
      chatRoutes(app, service, sendsPerMinute)
    },
    /** Registers the `channel:` room kind, chat events and `chat.send`/`chat.read` (the REST services). */
    registerRealtime: (gateway: RealtimeGateway, events: Events) => registerChatRealtime(gateway, events, service),
  }
}

export type ChatModule = ReturnType<typeof createChatModule>
