/**
 * The notifications area of the development seed, through the public API (ADR 0012): the demo
 * learners' preferences (Maya reads mentions in the app only and wants no mail at night; Tomás
 * follows study-session reminders in the app only), and inbox items the way they arise, from
 * community activity: Amara answers Maya's study-group post and Maya answers Tomás's FizzBuzz, so
 * each gets a `community.comment_created` notification in the inbox (the notification center
 * makes it from the comment's event, once per event and recipient). Idempotent: preferences are
 * set to the same values, a comment is found by its body before it is written.
 */
import { listAll } from './api-client.ts'
import { actorOf, type SeedArea, type SeedContext } from './areas.ts'
import { DEMO_COMMUNITY } from './community/index.ts'

export interface NotificationsSpec {
  community: string
  preferences: Array<{
    email: string
    preferences: Array<{ type: string; channel: 'email' | 'inbox'; enabled: boolean }>
    quietHours: { startsAt: string; endsAt: string } | null
  }>
  /** Comments on other people's posts (by title): each notifies the post's author. */
  comments: Array<{ by: string; onTitle: string; body: string }>
}

export const DEMO_NOTIFICATIONS: NotificationsSpec = {
  community: DEMO_COMMUNITY.slug,
  preferences: [
    {
      email: 'maya@demo.localhost',
      preferences: [{ type: 'community.post_mentioned', channel: 'email', enabled: false }],
      quietHours: { startsAt: '22:00', endsAt: '07:00' },
    },
    {
      email: 'tomas@demo.localhost',
      preferences: [{ type: 'community.event_reminder_due', channel: 'email', enabled: false }],
      quietHours: null,
    },
  ],
  comments: [
    {
      by: 'amara@demo.localhost',
      onTitle: 'Study group for the first module?',
      body: 'I would join too, but only after 19:00. Could we meet in the general channel?',
    },
    {
      by: 'maya@demo.localhost',
      onTitle: 'My first FizzBuzz',
      body: 'Nice! Checking 15 first tripped me up as well.',
    },
  ],
}

export function notificationsArea(spec: NotificationsSpec = DEMO_NOTIFICATIONS): SeedArea {
  return {
    name: 'notifications',
    version: 1,
    summary: `notification preferences of ${spec.preferences.map((p) => p.email).join(' and ')}; inbox items from ${spec.comments.length} comments in ${spec.community}`,
    browse: '/v1/me/notifications',
    run: (ctx) => seedNotifications(ctx, spec),
  }
}

async function seedNotifications(ctx: SeedContext, spec: NotificationsSpec): Promise<void> {
  const { api, accounts } = ctx
  const tokenOf = (email: string) => actorOf(ctx, accounts.people.get(email), email).token()
  for (const person of spec.preferences)
    await api.call('PUT', '/v1/me/notification-preferences', {
      token: await tokenOf(person.email),
      payload: { preferences: person.preferences, quietHours: person.quietHours },
      expect: [200],
    })
  const first = spec.comments[0]
  if (!first) return
  const reader = await tokenOf(first.by)
  const community = (await listAll<{ id: string; slug: string }>(api, '/v1/communities', reader)).find(
    (c) => c.slug === spec.community,
  )
  if (!community) throw new Error(`the notifications seed needs the community ${spec.community}`)
  const base = `/v1/communities/${community.id}`
  const posts = await listAll<{ id: string; title: string | null }>(api, `${base}/posts`, reader)
  for (const comment of spec.comments) {
    const post = posts.find((p) => p.title === comment.onTitle)
    if (!post)
      throw new Error(`the notifications seed comments on a post the community area did not write: ${comment.onTitle}`)
    const token = await tokenOf(comment.by)
    const existing = await listAll<{ body: string }>(api, `${base}/posts/${post.id}/comments`, token)
    if (existing.some((c) => c.body === comment.body)) continue
    await api.call('POST', `${base}/posts/${post.id}/comments`, {
      token,
      payload: { body: comment.body },
      expect: [201],
    })
  }
}
