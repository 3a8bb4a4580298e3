/**
 * Social: members' social settings, the follow graph, blocks and mutes, and direct messages (1:1
 * and small groups) with the layered DM policy (docs/social.md, ADR 0028). Owns the `social`
 * schema. Other modules ask it through this file: the realtime gateway (may this member join
 * this thread's room, what did they miss), community feeds and search (blocks, mutes) and the
 * notification center (whom to skip).
 */
import type { EventPublisher, Events } from '../../platform/events/events.ts'
import type { RealtimeGateway } from '../../platform/realtime/realtime.types.ts'
import { createGraphService } from './graph.service.ts'
import { createMessagesService } from './messages/messages.service.ts'
import { DEFAULT_SENDS_PER_MINUTE } from './messages/send-rate.ts'
import { createThreadsService } from './messages/threads.service.ts'
import { noTiers, type SenderTierSource } from './sender-tier.ts'
import { createSettingsService } from './settings.service.ts'
import { createSocialRoutes } from './social.routes.ts'
import { registerSocialRealtime } from './social.realtime.ts'

export {
  blockedAmong,
  isBlockedEitherWay,
  mutedBy,
  mutersOf,
  relationship,
  type FollowState,
  type Relationship,
  visibleAuthorCondition,
} from './relationships.ts'
export { canStartDirectMessage, dmDecisions } from './dm-facts.ts'
export { dmPolicy, type DmDecision, type DmDenialReason, type DmFacts, type TenantDmMinimum } from './dm-policy.ts'
export { messagesAfter } from './messages/messages.service.ts'
export { dmMessageFacts, readableDmMessage, setDmMessageHidden, type DmMessageFacts } from './messages/dm-moderation.ts'
export { isThreadParticipant, threadParticipantIds } from './messages/participation.ts'
export type { DmMessage, DmThread } from './messages/messages.schemas.ts'
export * from './social.events.ts'
export type { SenderTierSource } from './sender-tier.ts'

export interface SocialDeps {
  events: EventPublisher
  /** Sends (messages, new conversations) per member and minute (default 30). */
  sendsPerMinute?: number
  /** The sender's tier rank for the tenant's minimum tier (gamification's, wired in app.ts). */
  senderTier?: SenderTierSource
}

export function createSocialModule(deps: SocialDeps) {
  const senderTier = deps.senderTier ?? noTiers
  const messaging = {
    events: deps.events,
    sendsPerMinute: deps.sendsPerMinute ?? DEFAULT_SENDS_PER_MINUTE,
    senderTier,
  }
  const threads = createThreadsService(messaging)
  const messages = createMessagesService(messaging)
  return {
    routes: createSocialRoutes({
      settings: createSettingsService(senderTier),
      graph: createGraphService(deps.events),
      threads,
      messages,
    }),
    /** Registers the `dm:` room kind, DM events and `dm.send`/`dm.read` (the same services as REST). */
    registerRealtime: (gateway: RealtimeGateway, events: Events) =>
      registerSocialRealtime(gateway, events, { messages, threads }),
  }
}

export type SocialModule = ReturnType<typeof createSocialModule>
