/**
 * Points follow moderation: a post or comment a moderator hid or deleted (or the word filter
 * held) earns nothing, so spam that is removed does not climb the leaderboard; shown again or
 * restored (an undo, a granted appeal), it earns its points back. Keyed by the action, so each
 * action takes and gives back once, and hide/undo/hide again moves the points each time.
 * Likes and accepted answers the content received stay: the members who gave them did nothing
 * wrong, and their own points are not touched either.
 */
import type { Events } from '../../platform/events/events.ts'
import {
  MODERATION_ACTION_TAKEN,
  MODERATION_ACTION_UNDONE,
  type ActionTakenPayload,
  type ActionUndonePayload,
} from '../moderation/moderation.events.ts'
import { restore, reverse } from './awards.ts'
import type { PointEventType } from './gamification.vocabulary.ts'

/** The award an action on this target takes back, if it is content that earned one. */
function awardOf(p: ActionTakenPayload): { type: PointEventType; key: string } | undefined {
  if (p.kind !== 'hide' && p.kind !== 'delete') return undefined
  if (p.targetKind === 'post') return { type: 'post_published', key: `post_published:${p.targetId}` }
  if (p.targetKind === 'comment') return { type: 'comment_created', key: `comment_created:${p.targetId}` }
  return undefined
}

const takenKey = (actionId: string) => `moderated:${actionId}`

export function subscribeModerationReversals(events: Events): void {
  events.subscribe<ActionTakenPayload>(MODERATION_ACTION_TAKEN, 'gamification.reverse_moderated', async (event, tx) => {
    const p = event.payload
    const awarded = awardOf(p)
    if (!event.tenantId || !awarded) return
    await reverse(tx, {
      tenantId: event.tenantId,
      userId: p.subjectUserId,
      communityId: p.communityId,
      type: awarded.type,
      key: takenKey(p.actionId),
      reverses: awarded.key,
      sourceEventId: event.id,
      at: new Date(p.at),
    })
  })

  events.subscribe<ActionUndonePayload>(
    MODERATION_ACTION_UNDONE,
    'gamification.restore_moderated',
    async (event, tx) => {
      const p = event.payload
      const awarded = awardOf(p)
      if (!event.tenantId || !awarded) return
      await restore(tx, {
        tenantId: event.tenantId,
        type: awarded.type,
        key: `unmoderated:${p.actionId}`,
        restores: awarded.key,
        cancels: takenKey(p.actionId),
        sourceEventId: event.id,
        at: new Date(p.at),
      })
    },
  )
}
