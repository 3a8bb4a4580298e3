/**
 * Posts over HTTP: drafts stay their author's, only active members write, pins lead the feed
 * (a few, by moderators), comments thread one level, reactions are idempotent, mentions become
 * one event each (none for a member who blocked the author), scheduled posts are published once
 * by their job, polls take one ballot per member until they close, and writing is rate limited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { auditActions, buildCommunity, communityClient, domainEventTypes, type CommunityFixture } from '../testing.ts'
import { makeDue, postsClient, queuedPublications, runPublishJob } from './testing.ts'

let t: TestApp
let client: ReturnType<typeof postsClient>
let community: ReturnType<typeof communityClient>
beforeAll(async () => {
  t = await buildTestApp()
  client = postsClient(t)
  community = communityClient(t)
})
afterAll(async () => t?.close())

/** A public community with its owner and `n` joined members. */
type Member = Awaited<ReturnType<CommunityFixture['member']>>
async function withMembers(n: number): Promise<{ c: CommunityFixture; members: Record<0 | 1 | 2, Member> }> {
  const c = await buildCommunity(t, { visibility: 'public' })
  const members: Member[] = []
  for (let i = 0; i < n; i++) {
    const member = await c.member()
    expect((await community.join(c.communityId, member.token)).statusCode).toBe(201)
    members.push(member)
  }
  return { c, members: members as unknown as Record<0 | 1 | 2, Member> }
}

function ids(response: { json(): unknown; body: string }): string[] {
  const page = response.json() as { data?: Array<{ id: string }> }
  if (!page.data) throw new Error(`not a page: ${response.body}`)
  return page.data.map((post) => post.id)
}

describe('posts', () => {
  it('keeps drafts to their author until published, and lets only active members write', async () => {
    const { c, members } = await withMembers(2)
    const { 0: author, 1: reader } = members
    const draft = await client.post(c.communityId, author.token, {
      title: 'Hello',
      body: 'First draft',
      state: 'draft',
    })
    expect(draft.statusCode, draft.body).toBe(201)
    const postId = draft.json().id as string
    expect(draft.json()).toMatchObject({ state: 'draft', publishedAt: null })
    expect(ids(await client.feed(c.communityId, reader.token))).toEqual([])
    expect(
      (await client.call('GET', `/v1/communities/${c.communityId}/posts/${postId}`, reader.token)).statusCode,
    ).toBe(404)
    expect(ids(await client.call('GET', '/v1/me/post-drafts', author.token))).toEqual([postId])
    expect(ids(await client.call('GET', '/v1/me/post-drafts', reader.token))).toEqual([])
    // Someone else's draft cannot be commented on, reacted to or deleted: it does not exist for them.
    expect((await client.react(c.communityId, postId, 'like', reader.token)).statusCode).toBe(404)

    const published = await client.call(
      'POST',
      `/v1/communities/${c.communityId}/posts/${postId}/publish`,
      author.token,
      {},
    )
    expect(published.json()).toMatchObject({ state: 'published', editedAt: null })
    expect(ids(await client.feed(c.communityId, reader.token))).toEqual([postId])
    const edited = await client.call('PATCH', `/v1/communities/${c.communityId}/posts/${postId}`, author.token, {
      body: 'Edited',
    })
    expect(edited.json().editedAt).not.toBeNull()
    const notMine = await client.call('PATCH', `/v1/communities/${c.communityId}/posts/${postId}`, reader.token, {
      body: 'x',
    })
    expect(notMine.json().code).toBe('POST_AUTHOR_ONLY')

    // Outsiders, banned and suspended members do not post.
    const outsider = await c.member()
    expect((await client.post(c.communityId, outsider.token, { body: 'hi' })).json().code).toBe(
      'COMMUNITY_POSTING_FORBIDDEN',
    )
    await community.suspend(c.communityId, reader.userId, c.owner.token, new Date(Date.now() + 3_600_000))
    expect((await client.post(c.communityId, reader.token, { body: 'hi' })).json()).toMatchObject({
      code: 'COMMUNITY_POSTING_FORBIDDEN',
      standing: 'suspended',
    })
    await community.ban(c.communityId, author.userId, c.owner.token)
    expect((await client.post(c.communityId, author.token, { body: 'hi' })).statusCode).toBe(404)
    // NUL and over-long bodies are refused before any work.
    expect((await client.post(c.communityId, c.owner.token, { body: 'a\u0000b' })).statusCode).toBe(400)
    expect((await client.post(c.communityId, c.owner.token, { body: 'x'.repeat(20_001) })).statusCode).toBe(400)
    // Another tenant's member never sees it.
    const other = await buildCommunity(t, { visibility: 'public' })
    const stranger = await other.member()
    expect((await client.feed(c.communityId, stranger.token)).statusCode).toBe(404)
    expect(
      (await client.call('GET', `/v1/communities/${c.communityId}/posts/${postId}`, stranger.token)).statusCode,
    ).toBe(404)
  })

  it('deletes softly: the author their own, a moderator anyone’s (audited)', async () => {
    const { c, members } = await withMembers(2)
    const { 0: author, 1: other } = members
    const first = (await client.post(c.communityId, author.token, { body: 'one' })).json().id as string
    const second = (await client.post(c.communityId, author.token, { body: 'two' })).json().id as string
    expect(
      (await client.call('DELETE', `/v1/communities/${c.communityId}/posts/${first}`, other.token)).json().code,
    ).toBe('POST_DELETE_FORBIDDEN')
    expect(
      (await client.call('DELETE', `/v1/communities/${c.communityId}/posts/${first}`, author.token)).statusCode,
    ).toBe(204)
    expect(
      (await client.call('DELETE', `/v1/communities/${c.communityId}/posts/${second}`, c.owner.token)).statusCode,
    ).toBe(204)
    expect(ids(await client.feed(c.communityId, other.token))).toEqual([])
    const audit = (await auditActions(t, c.tenantId)).map((a) => a.action)
    expect(audit.filter((action) => action === 'community.post_deleted')).toHaveLength(1)
  })

  it('puts pinned posts first on the first page, a few at most, pinned by moderators', async () => {
    const { c, members } = await withMembers(1)
    const { 0: member } = members
    const posted: string[] = []
    for (const body of ['a', 'b', 'c', 'd', 'e'])
      posted.push((await client.post(c.communityId, c.owner.token, { body })).json().id)
    const pin = (postId: string, token: string) =>
      client.call('PUT', `/v1/communities/${c.communityId}/posts/${postId}/pin`, token)
    expect((await pin(posted[0]!, member.token)).json().code).toBe('COMMUNITY_PERMISSION_REQUIRED')
    for (const postId of posted.slice(0, 3)) expect((await pin(postId, c.owner.token)).statusCode).toBe(200)
    expect((await pin(posted[3]!, c.owner.token)).json().code).toBe('PINNED_POSTS_LIMIT')

    const first = await client.feed(c.communityId, member.token, '?limit=1')
    // The pins (newest pin first), then the newest unpinned post.
    expect(ids(first)).toEqual([posted[2], posted[1], posted[0], posted[4]])
    const second = await client.feed(c.communityId, member.token, `?limit=1&cursor=${first.json().nextCursor}`)
    expect(ids(second)).toEqual([posted[3]])
    expect(second.json().nextCursor).toBeNull()
    expect((await client.feed(c.communityId, member.token, '?cursor=bm90LWEtY3Vyc29y')).statusCode).toBe(400)
    expect((await auditActions(t, c.tenantId)).map((a) => a.action)).toContain('community.post_pinned')
  })
})

describe('comments and reactions', () => {
  it('threads one level, keeps counts, and takes one reaction per member and kind', async () => {
    const { c, members } = await withMembers(2)
    const { 0: alice, 1: bob } = members
    const postId = (await client.post(c.communityId, alice.token, { body: 'Topic' })).json().id as string
    const top = (await client.comment(c.communityId, postId, bob.token, { body: 'top' })).json()
    const reply = (await client.comment(c.communityId, postId, alice.token, { body: 'reply', parentId: top.id })).json()
    const nested = await client.comment(c.communityId, postId, bob.token, {
      body: 'reply to reply',
      parentId: reply.id,
    })
    expect(reply.parentId).toBe(top.id)
    expect(nested.json().parentId).toBe(top.id)
    const listed = await client.call('GET', `/v1/communities/${c.communityId}/posts/${postId}/comments`, alice.token)
    expect(listed.json().data).toEqual([expect.objectContaining({ id: top.id, replyCount: 2 })])
    const replies = await client.call(
      'GET',
      `/v1/communities/${c.communityId}/comments/${reply.id}/replies`,
      alice.token,
    )
    expect(ids(replies)).toEqual([reply.id, nested.json().id])
    const unknownParent = await client.comment(c.communityId, postId, bob.token, { body: 'x', parentId: postId })
    expect(unknownParent.json().code).toBe('COMMENT_PARENT_NOT_FOUND')
    // Bob blocks Alice: her reply under his comment (or in his thread) gets the answer of an
    // unknown parent, and nothing reaches him.
    expect((await client.block(alice.userId, bob.token)).statusCode).toBe(201)
    for (const parentId of [top.id, nested.json().id]) {
      const blocked = await client.comment(c.communityId, postId, alice.token, { body: 'hi', parentId })
      expect(blocked.statusCode).toBe(unknownParent.statusCode)
      expect(blocked.json().code).toBe('COMMENT_PARENT_NOT_FOUND')
    }
    expect((await client.call('DELETE', `/v1/me/blocks/${alice.userId}`, bob.token)).statusCode).toBe(204)

    for (let i = 0; i < 2; i++)
      expect((await client.react(c.communityId, postId, 'like', bob.token)).statusCode).toBe(200)
    await client.react(c.communityId, postId, 'love', bob.token)
    await client.react(c.communityId, postId, 'like', alice.token)
    const edited = await client.call('PATCH', `/v1/communities/${c.communityId}/comments/${top.id}`, bob.token, {
      body: 'top!',
    })
    expect(edited.json().editedAt).not.toBeNull()
    const commentReaction = await client.call(
      'PUT',
      `/v1/communities/${c.communityId}/comments/${top.id}/reactions/celebrate`,
      alice.token,
    )
    expect(commentReaction.json()).toEqual({ reacted: true, reactionCounts: { celebrate: 1 } })
    let post = (await client.call('GET', `/v1/communities/${c.communityId}/posts/${postId}`, bob.token)).json()
    expect(post).toMatchObject({ commentCount: 3, reactionCounts: { like: 2, love: 1 } })
    await client.react(c.communityId, postId, 'love', bob.token, false)
    await client.react(c.communityId, postId, 'love', bob.token, false)
    expect(
      (await client.call('DELETE', `/v1/communities/${c.communityId}/comments/${reply.id}`, alice.token)).statusCode,
    ).toBe(204)
    post = (await client.call('GET', `/v1/communities/${c.communityId}/posts/${postId}`, bob.token)).json()
    expect(post).toMatchObject({ commentCount: 2, reactionCounts: { like: 2 } })
    expect((await client.react(c.communityId, postId, 'angry', bob.token)).statusCode).toBe(400)
  })
})

describe('mentions', () => {
  it('sends one event per mentioned member, none to one who blocked the author, and refuses non-members', async () => {
    const { c, members } = await withMembers(3)
    const { 0: author, 1: friend, 2: blocker } = members
    const outsider = await c.member()
    const refused = await client.post(c.communityId, author.token, { body: 'hey', mentions: [outsider.userId] })
    expect(refused.json().code).toBe('MENTION_NOT_MEMBER')
    expect((await client.block(author.userId, blocker.token)).statusCode).toBe(201)
    const posted = await client.post(c.communityId, author.token, {
      body: 'hey @friend @blocker',
      mentions: [friend.userId, blocker.userId],
    })
    expect(posted.statusCode, posted.body).toBe(201)
    const mentions = (await domainEventTypes(t, c.tenantId)).filter((e) => e.type === 'community.post_mentioned')
    expect(mentions.map((e) => e.payload.mentionedUserId)).toEqual([friend.userId])
    expect(mentions[0]?.payload).toMatchObject({ postId: posted.json().id, authorId: author.userId })
    // The blocker does not see the author's post either.
    expect(ids(await client.feed(c.communityId, blocker.token))).toEqual([])
  })
})

describe('scheduled posts', () => {
  it('are published by their job at their instant, exactly once', async () => {
    const { c, members } = await withMembers(2)
    const { 0: author, 1: reader } = members
    const publishAt = new Date(Date.now() + 3_600_000).toISOString()
    const past = await client.post(c.communityId, author.token, { body: 'late', publishAt: '2020-01-01T00:00:00Z' })
    expect(past.json().code).toBe('PUBLISH_AT_NOT_FUTURE')
    const scheduled = await client.post(c.communityId, author.token, {
      body: 'soon',
      publishAt,
      mentions: [reader.userId],
    })
    expect(scheduled.json()).toMatchObject({ state: 'scheduled', publishAt })
    const postId = scheduled.json().id as string
    const queued = await queuedPublications(t, postId)
    expect(queued.map((job) => new Date(job.startAfter).toISOString())).toEqual([publishAt])
    expect(ids(await client.feed(c.communityId, reader.token))).toEqual([])

    const job = await makeDue(t, c.tenantId, postId)
    expect(await runPublishJob(t, job)).toBe('published')
    expect(await runPublishJob(t, job)).toBe('skipped')
    expect(ids(await client.feed(c.communityId, reader.token))).toEqual([postId])
    const types = (await domainEventTypes(t, c.tenantId)).map((e) => e.type)
    expect(types.filter((type) => type === 'community.post_published')).toHaveLength(1)
    expect(types.filter((type) => type === 'community.post_mentioned')).toHaveLength(1)
  })

  it('go back to draft when their author may no longer post', async () => {
    const { c, members } = await withMembers(1)
    const { 0: author } = members
    const publishAt = new Date(Date.now() + 3_600_000).toISOString()
    const postId = (await client.post(c.communityId, author.token, { body: 'later', publishAt })).json().id as string
    await community.leave(c.communityId, author.token)
    expect(await runPublishJob(t, await makeDue(t, c.tenantId, postId))).toBe('returned_to_draft')
    expect((await client.call('GET', '/v1/me/post-drafts', author.token)).json().data[0]).toMatchObject({
      state: 'draft',
    })
  })

  it('go back to draft when their author may no longer post in the channel, or the community is archived', async () => {
    const { c, members } = await withMembers(1)
    const { 0: author } = members
    const announcements = await community.channel(c.communityId, c.owner.token, {
      name: 'news',
      kind: 'announcement',
    })
    expect(announcements.statusCode, announcements.body).toBe(201)
    const promote = await community.setRole(c.communityId, author.userId, c.owner.token, { role: 'moderator' })
    expect(promote.statusCode, promote.body).toBe(200)
    const publishAt = new Date(Date.now() + 3_600_000).toISOString()
    const scheduled = await client.post(c.communityId, author.token, {
      body: 'news later',
      channelId: announcements.json().id,
      publishAt,
    })
    expect(scheduled.statusCode, scheduled.body).toBe(201)
    // Demoted to member: still reads the announcement channel, no longer posts in it.
    expect((await community.setRole(c.communityId, author.userId, c.owner.token, { role: 'member' })).statusCode).toBe(
      200,
    )
    const postId = scheduled.json().id as string
    expect(await runPublishJob(t, await makeDue(t, c.tenantId, postId))).toBe('returned_to_draft')

    // A post without a channel in a community archived before its instant goes back too.
    const other = (await client.post(c.communityId, author.token, { body: 'later', publishAt })).json().id as string
    expect((await community.call('DELETE', `/v1/communities/${c.communityId}`, c.owner.token)).statusCode).toBe(204)
    expect(await runPublishJob(t, await makeDue(t, c.tenantId, other))).toBe('returned_to_draft')
  })
})

describe('polls', () => {
  it('take one ballot per member, changeable until the poll closes', async () => {
    const { c, members } = await withMembers(2)
    const { 0: alice, 1: bob } = members
    const tooFew = await client.post(c.communityId, alice.token, { body: 'q', poll: { options: ['only'] } })
    expect(tooFew.statusCode).toBe(400)
    const postId = (
      await client.post(c.communityId, alice.token, { body: 'Which?', poll: { options: ['Red', 'Blue', 'Green'] } })
    ).json().id as string
    const poll = (await client.call('GET', `/v1/communities/${c.communityId}/posts/${postId}/poll`, bob.token)).json()
    const [red, blue] = poll.options.map((option: { id: string }) => option.id)
    const vote = (token: string, optionIds: string[]) =>
      client.call('PUT', `/v1/communities/${c.communityId}/posts/${postId}/poll/vote`, token, { optionIds })
    expect((await vote(bob.token, [red, blue])).json().code).toBe('POLL_CHOICE_INVALID')
    await vote(bob.token, [red])
    const changed = (await vote(bob.token, [blue])).json()
    await vote(alice.token, [blue])
    expect(changed.myChoice).toEqual([blue])
    const results = (
      await client.call('GET', `/v1/communities/${c.communityId}/posts/${postId}/poll`, alice.token)
    ).json()
    expect(results.options.map((o: { votes: number }) => o.votes)).toEqual([0, 2, 0])
    expect(results.totalVoters).toBe(2)
    const outsider = await c.member()
    expect((await vote(outsider.token, [red])).json().code).toBe('COMMUNITY_POSTING_FORBIDDEN')
  })
})

describe('rate limits', () => {
  it('refuses the post beyond the minute’s allowance with 429 and Retry-After', async () => {
    const { c, members } = await withMembers(1)
    const { 0: author } = members
    const codes: number[] = []
    for (let i = 0; i < 11; i++)
      codes.push((await client.post(c.communityId, author.token, { body: `n${i}` })).statusCode)
    // A minute boundary may fall inside the loop and reset the window: at most one refusal then none.
    const refused = await client.post(c.communityId, author.token, { body: 'again' })
    expect([...codes, refused.statusCode]).toContain(429)
    const limited = codes.includes(429) ? codes.indexOf(429) : 11
    expect(limited).toBeGreaterThanOrEqual(10)
    if (refused.statusCode === 429) {
      expect(refused.json().code).toBe('POST_RATE_LIMITED')
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    }
  })
})
