/**
 * Domain events that already name their recipient become notifications here, in the event's
 * transaction: a mention, a comment on your post, an event reminder or cancellation, an appeal decided. The event id
 * is the deduplication key, so a redelivered event notifies nobody twice. Modules whose mail needs
 * their own data (titles, amounts) call `notify` from their own subscriber instead (assessment).
 */
import type { DomainEvent, Events } from '../../platform/events/events.ts'
import type { Tx } from '../../platform/db/database.ts'
import {
  COMMUNITY_COMMENT_CREATED,
  COMMUNITY_EVENT_CANCELLED,
  eventAudience,
  type EventCancelledPayload,
  COMMUNITY_EVENT_REMINDER_DUE,
  COMMUNITY_POST_MENTIONED,
  type CommentCreatedPayload,
  type EventReminderDuePayload,
  type PostMentionedPayload,
} from '../community/index.ts'
import { MODERATION_APPEAL_DECIDED, type AppealDecidedPayload } from '../moderation/moderation.events.ts'
import type { Notifier } from './notify.ts'
import type { NotificationPorts } from './ports.ts'

export function subscribeNotifications(events: Events, notifier: Notifier, ports: NotificationPorts): void {
  const authorName = async (tx: Tx, authorId: string) => (await ports.displayNames(tx, [authorId])).get(authorId) ?? '—'
  const on = <P>(type: string, handler: (event: DomainEvent<P> & { tenantId: string }, tx: Tx) => Promise<void>) =>
    events.subscribe<P>(type, `notifications.${type.replace('.', '_')}`, async (event, tx) => {
      if (event.tenantId) await handler({ ...event, tenantId: event.tenantId }, tx)
    })

  on<PostMentionedPayload>(COMMUNITY_POST_MENTIONED, async (e, tx) => {
    const p = e.payload
    await notifier.notify(tx, {
      tenantId: e.tenantId,
      type: 'community.post_mentioned',
      eventId: e.id,
      recipient: { userId: p.mentionedUserId },
      params: { authorName: await authorName(tx, p.authorId), communityId: p.communityId, postId: p.postId },
    })
  })

  on<CommentCreatedPayload>(COMMUNITY_COMMENT_CREATED, async (e, tx) => {
    const p = e.payload
    // Not for one's own comment, nor for a comment the word filter holds for review.
    if (p.authorId === p.postAuthorId || p.held) return
    await notifier.notify(tx, {
      tenantId: e.tenantId,
      type: 'community.comment_created',
      eventId: e.id,
      recipient: { userId: p.postAuthorId },
      params: { authorName: await authorName(tx, p.authorId), communityId: p.communityId, postId: p.postId },
    })
  })

  on<EventReminderDuePayload>(COMMUNITY_EVENT_REMINDER_DUE, async (e, tx) => {
    const p = e.payload
    await notifier.notify(tx, {
      tenantId: e.tenantId,
      type: 'community.event_reminder_due',
      eventId: e.id,
      recipient: { userId: p.userId },
      params: { title: p.title, startsAt: p.startsAt, communityId: p.communityId, eventId: p.eventId },
    })
  })

  on<AppealDecidedPayload>(MODERATION_APPEAL_DECIDED, async (e, tx) => {
    const p = e.payload
    await notifier.notify(tx, {
      tenantId: e.tenantId,
      type: 'moderation.appeal_decided',
      eventId: e.id,
      recipient: { userId: p.appellantId },
      params: { granted: p.decision === 'granted' },
    })
  })

  // The event names no recipients: community answers who was going (in good standing), through its index.ts.
  on<EventCancelledPayload>(COMMUNITY_EVENT_CANCELLED, async (e, tx) => {
    const p = e.payload
    const audience = await eventAudience(tx, p.eventId)
    if (!audience) return
    for (const userId of audience.attendees) {
      // Whoever cancelled it knows.
      if (p.actor === `user:${userId}`) continue
      await notifier.notify(tx, {
        tenantId: e.tenantId,
        type: 'community.event_cancelled',
        eventId: e.id,
        recipient: { userId },
        params: { title: audience.title, startsAt: audience.startsAt, communityId: p.communityId, eventId: p.eventId },
      })
    }
  })
}
