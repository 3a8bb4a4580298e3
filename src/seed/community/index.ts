/**
 * The community area of the development seed, made through the public API (ADR 0012): the
 * instructor's study hall for Python from Scratch, linked to the course (its enrolled learners are
 * members through the course source, which the backfill job adds), with a general channel, an
 * announcement channel and a channel for the course's learners; the demo learners join it
 * themselves, and one of them moderates. Version 2 adds a pinned welcome post, two members'
 * posts, a comment and reactions. Version 4 makes the comment the post's accepted answer and adds
 * likes between members, so the demo members hold realistic points once the events are delivered
 * (gamification awards posts, comments, likes and accepted answers). Idempotent by natural key: a community found by its slug,
 * channels by name, posts by title, a comment by its body; a member already in, a role already
 * held, a pin and a reaction already there are left as they are.
 */
import { DEMO_INSTRUCTOR_EMAIL } from '../content/people.ts'
import { PYTHON_FROM_SCRATCH } from '../content/python-from-scratch.ts'
import { actorOf, type SeedArea, type SeedContext } from '../areas.ts'
import { listAll } from '../api-client.ts'

export interface CommunitySpec {
  owner: string
  slug: string
  name: string
  description: string
  /** Catalogue slug of the course the community is linked to (the owner teaches it). */
  course: string
  channels: Array<{ name: string; topic: string; kind?: 'text' | 'announcement'; access?: 'members' | 'course' }>
  members: string[]
  moderator: string
  /** An event a week after seeding at `hour` in `timeZone`, which the members answer going. */
  event: { title: string; description: string; timeZone: string; hour: number; capacity: number; location: string }
  /** Posts in the order written; the owner's first one is pinned. */
  posts: Array<{ by: string; title: string; body: string; pinned?: boolean }>
  /** A comment on the post with `onTitle`, and the members who react to that post. */
  comment: { by: string; onTitle: string; body: string; reactions: Array<{ by: string; kind: string }> }
  /** The post's author accepts the comment as its answer. */
  acceptAnswer: boolean
  /** More reactions: who reacts to which post (by title). */
  likes: Array<{ by: string; onTitle: string; kind: string }>
}

export const DEMO_COMMUNITY: CommunitySpec = {
  owner: DEMO_INSTRUCTOR_EMAIL,
  slug: 'python-study-hall',
  name: 'Python Study Hall',
  description: 'Ask questions, share your exercises and find a study partner for Python from Scratch.',
  course: PYTHON_FROM_SCRATCH.slug,
  channels: [
    { name: 'general', topic: 'Introduce yourself and talk about anything Python' },
    { name: 'announcements', topic: 'News from your instructor', kind: 'announcement' },
    { name: 'course-learners', topic: 'For learners enrolled in Python from Scratch', access: 'course' },
  ],
  members: ['maya@demo.localhost', 'tomas@demo.localhost', 'amara@demo.localhost'],
  moderator: 'maya@demo.localhost',
  event: {
    title: 'Weekly study session: loops and functions',
    description: 'Bring the exercise you are stuck on; we work through them together.',
    timeZone: 'Europe/Berlin',
    hour: 18,
    capacity: 20,
    location: 'Library, room 2 (and the general channel)',
  },
  posts: [
    {
      by: DEMO_INSTRUCTOR_EMAIL,
      title: 'Welcome to the Python Study Hall',
      body: 'Introduce yourself in #general, ask anything about the course here, and be kind: everyone started somewhere.',
      pinned: true,
    },
    {
      by: 'maya@demo.localhost',
      title: 'Study group for the first module?',
      body: 'I am going through variables and loops this week. Anyone want to meet on Thursday evening to work on the exercises together?',
    },
    {
      by: 'tomas@demo.localhost',
      title: 'My first FizzBuzz',
      body: 'It took me three tries, but my loop prints FizzBuzz correctly now. The trick was checking 15 first.',
    },
  ],
  comment: {
    by: 'tomas@demo.localhost',
    onTitle: 'Study group for the first module?',
    body: 'Count me in! Thursday works for me.',
    reactions: [
      { by: 'tomas@demo.localhost', kind: 'like' },
      { by: 'amara@demo.localhost', kind: 'celebrate' },
    ],
  },
  acceptAnswer: true,
  likes: [
    { by: 'maya@demo.localhost', onTitle: 'My first FizzBuzz', kind: 'like' },
    { by: 'amara@demo.localhost', onTitle: 'My first FizzBuzz', kind: 'like' },
    { by: DEMO_INSTRUCTOR_EMAIL, onTitle: 'My first FizzBuzz', kind: 'celebrate' },
    { by: 'maya@demo.localhost', onTitle: 'Welcome to the Python Study Hall', kind: 'like' },
    { by: 'tomas@demo.localhost', onTitle: 'Welcome to the Python Study Hall', kind: 'like' },
  ],
}

export function communityArea(spec: CommunitySpec = DEMO_COMMUNITY): SeedArea {
  return {
    name: 'communities',
    version: 4,
    summary: `the community ${spec.slug} (${spec.channels.length} channels: ${spec.channels.map((c) => c.name).join(', ')}) linked to ${spec.course}, with ${spec.members.length} members an upcoming event they attend and ${spec.posts.length} posts (one pinned, one answered), whose posts, comments, likes and accepted answer earn the members points`,
    run: (ctx) => seedCommunity(ctx, spec),
  }
}

interface Listed {
  id: string
  slug: string
}

async function seedCommunity(ctx: SeedContext, spec: CommunitySpec): Promise<void> {
  const { api, accounts } = ctx
  const owner = actorOf(ctx, accounts.people.get(spec.owner), spec.owner)
  const token = await owner.token()
  const course = (await api.call<{ id: string }>('GET', `/v1/catalogue/courses/${spec.course}`)).body
  const existing = (await listAll<Listed>(api, '/v1/communities', token)).find((c) => c.slug === spec.slug)
  const communityId =
    existing?.id ??
    (
      await api.call<Listed>('POST', '/v1/communities', {
        token,
        payload: {
          slug: spec.slug,
          name: spec.name,
          description: spec.description,
          visibility: 'public',
          courseId: course.id,
        },
      })
    ).body.id
  const base = `/v1/communities/${communityId}`
  const channels = new Set((await listAll<{ name: string }>(api, `${base}/channels`, token)).map((c) => c.name))
  for (const channel of spec.channels)
    if (!channels.has(channel.name)) await api.call('POST', `${base}/channels`, { token, payload: channel })
  for (const email of spec.members) {
    const member = actorOf(ctx, accounts.people.get(email), email)
    await api.call('POST', `${base}/join`, { token: await member.token() })
  }
  const moderator = actorOf(ctx, accounts.people.get(spec.moderator), spec.moderator)
  await api.call('PUT', `${base}/members/${moderator.userId}/role`, { token, payload: { role: 'moderator' } })
  await seedEvent(ctx, spec, base, token)
  await seedPosts(ctx, spec, base, token)
}

/** The instant a week from now at `hour` o'clock in `timeZone` (the zone's offset that day). */
function nextWeekAt(hour: number, timeZone: string): Date {
  const day = new Date(Date.now() + 7 * 86400_000)
  const guess = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour))
  const there = Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: 'numeric', hourCycle: 'h23' }).format(guess))
  return new Date(guess.getTime() - (((there - hour + 36) % 24) - 12) * 3600_000)
}

/** The study session, found by its title among the community's events; its members answer going. */
async function seedEvent(ctx: SeedContext, spec: CommunitySpec, base: string, token: string): Promise<void> {
  const { api, accounts } = ctx
  const events = await listAll<{ id: string; title: string }>(api, `${base}/events?upcoming=false`, token)
  let eventId = events.find((e) => e.title === spec.event.title)?.id
  if (!eventId) {
    const startsAt = nextWeekAt(spec.event.hour, spec.event.timeZone)
    const { hour: _hour, ...fields } = spec.event
    const created = await api.call<{ id: string }>('POST', `${base}/events`, {
      token,
      payload: {
        ...fields,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 90 * 60_000).toISOString(),
      },
    })
    eventId = created.body.id
  }
  for (const email of spec.members) {
    const member = actorOf(ctx, accounts.people.get(email), email)
    await api.call('PUT', `${base}/events/${eventId}/rsvp`, {
      token: await member.token(),
      payload: { response: 'going' },
    })
  }
}

async function seedPosts(ctx: SeedContext, spec: CommunitySpec, base: string, ownerToken: string): Promise<void> {
  const tokenOf = async (email: string) => actorOf(ctx, ctx.accounts.people.get(email), email).token()
  const existing = await listAll<{ id: string; title: string | null }>(ctx.api, `${base}/posts`, ownerToken)
  const idOf = new Map(existing.map((post) => [post.title, post.id]))
  for (const post of spec.posts) {
    const token = await tokenOf(post.by)
    let postId = idOf.get(post.title)
    if (!postId) {
      const payload = { title: post.title, body: post.body }
      postId = (await ctx.api.call<{ id: string }>('POST', `${base}/posts`, { token, payload })).body.id
      idOf.set(post.title, postId)
    }
    if (post.pinned) await ctx.api.call('PUT', `${base}/posts/${postId}/pin`, { token })
  }
  const target = idOf.get(spec.comment.onTitle)
  if (!target) throw new Error(`the seed comments on a post it did not write: ${spec.comment.onTitle}`)
  const commenter = await tokenOf(spec.comment.by)
  const comments = await listAll<{ id: string; body: string }>(ctx.api, `${base}/posts/${target}/comments`, commenter)
  const commentId =
    comments.find((comment) => comment.body === spec.comment.body)?.id ??
    (
      await ctx.api.call<{ id: string }>('POST', `${base}/posts/${target}/comments`, {
        token: commenter,
        payload: { body: spec.comment.body },
      })
    ).body.id
  const author = spec.posts.find((post) => post.title === spec.comment.onTitle)?.by ?? spec.owner
  // Accepting the accepted comment again changes nothing (and awards nothing twice).
  if (spec.acceptAnswer)
    await ctx.api.call('PUT', `${base}/posts/${target}/accepted-answer`, {
      token: await tokenOf(author),
      payload: { commentId },
    })
  for (const like of spec.likes) {
    const postId = idOf.get(like.onTitle)
    if (!postId) throw new Error(`the seed reacts to a post it did not write: ${like.onTitle}`)
    await ctx.api.call('PUT', `${base}/posts/${postId}/reactions/${like.kind}`, { token: await tokenOf(like.by) })
  }
  for (const reaction of spec.comment.reactions)
    await ctx.api.call('PUT', `${base}/posts/${target}/reactions/${reaction.kind}`, {
      token: await tokenOf(reaction.by),
    })
}
