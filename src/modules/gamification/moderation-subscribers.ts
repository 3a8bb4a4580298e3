/**
 * Points follow moderation: a post or comment that moderation hid or deleted (a word-filter hold
 * included) earns nothing, so spam that is removed does not climb the leaderboard; shown again or
 * restored (an undo, a granted appeal), it earns its points back. Each moderation event settles
 * the content's award to the content's state at that moment (awards.ts, settleAward), so a hide
 * and then a delete take the points once, and an award that arrives while its content is held
 * is not made (subscribers.ts asks `earnsNow` first) until a moderator releases it. Likes and
 * answers the content received stay: the members who gave them did nothing wrong.
 */
import type { Tx } from '../../platform/db/database.ts'
import type { Events } from '../../platform/events/events.ts'
import { contentFacts } from '../community/index.ts'
import {
  MODERATION_ACTION_TAKEN,
  MODERATION_ACTION_UNDONE,
  type ActionTakenPayload,
} from '../moderation/moderation.events.ts'
import { settleAward } from './awards.ts'
import type { PointEventType } from './gamification.vocabulary.ts'

type ContentKind = 'post' | 'comment'
const AWARD: Record<ContentKind, PointEventType> = { post: 'post_published', comment: 'comment_created' }

/** The key of the award a post or comment earns (subscribers.ts awards under it). */
export const contentAwardKey = (kind: ContentKind, id: string) => `${AWARD[kind]}:${id}`

/** Whether the content is visible now (not hidden by moderation, not deleted): what earns points. */
export async function earnsNow(tx: Tx, kind: ContentKind, id: string): Promise<boolean> {
  const facts = await contentFacts(tx, kind, id)
  return facts !== null && !facts.hidden && !facts.deleted
}

export function subscribeModerationSettlements(events: Events): void {
  const settle =
    (verb: 'moderated' | 'unmoderated') =>
    async (event: { id: string; tenantId: string | null; payload: ActionTakenPayload }, tx: Tx) => {
      const p = event.payload
      if (!event.tenantId || (p.kind !== 'hide' && p.kind !== 'delete')) return
      if (p.targetKind !== 'post' && p.targetKind !== 'comment') return
      const facts = await contentFacts(tx, p.targetKind, p.targetId)
      if (!facts) return
      await settleAward(tx, {
        tenantId: event.tenantId,
        userId: facts.authorId,
        communityId: facts.communityId,
        type: AWARD[p.targetKind],
        key: contentAwardKey(p.targetKind, p.targetId),
        earns: !facts.hidden && !facts.deleted,
        settlementKey: `${verb}:${p.targetId}:${p.actionId}`,
        settlementPrefixes: [`moderated:${p.targetId}:`, `unmoderated:${p.targetId}:`],
        sourceEventId: event.id,
        at: new Date(p.at),
      })
    }
  events.subscribe<ActionTakenPayload>(MODERATION_ACTION_TAKEN, 'gamification.reverse_moderated', settle('moderated'))
  events.subscribe<ActionTakenPayload>(
    MODERATION_ACTION_UNDONE,
    'gamification.restore_moderated',
    settle('unmoderated'),
  )
}
