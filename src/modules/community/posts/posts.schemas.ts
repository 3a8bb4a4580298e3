/** TypeBox request and response schemas of community posts, comments, reactions, polls and feeds. */
import { Type, type Static } from 'typebox'
import { Page, PageQuery } from '../../../platform/http/pagination.ts'
import { POST_LIMITS, POST_STATES, REACTION_KINDS } from './posts.vocabulary.ts'

const Id = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const Enum = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) })

const Title = Type.String({ minLength: 1, maxLength: POST_LIMITS.title })
const Body = Type.String({ minLength: 1, maxLength: POST_LIMITS.body })
const CommentBody = Type.String({ minLength: 1, maxLength: POST_LIMITS.comment })
const Mentions = Type.Array(Id, {
  maxItems: POST_LIMITS.mentions,
  uniqueItems: true,
  description: 'User ids of members mentioned (@): each must be a member who can see the post',
})
const ReactionCounts = Type.Record(Type.String(), Type.Integer({ minimum: 0 }), {
  description: 'Reactions per kind; kinds nobody used are absent',
})

export const PostParams = Type.Object({ communityId: Id, postId: Id })
export const CommentParams = Type.Object({ communityId: Id, commentId: Id })
export const PostReactionParams = Type.Object({ communityId: Id, postId: Id, kind: Enum(REACTION_KINDS) })
export const CommentReactionParams = Type.Object({ communityId: Id, commentId: Id, kind: Enum(REACTION_KINDS) })

export const AcceptAnswerBody = Type.Object({ commentId: Id }, { additionalProperties: false })

export const PollInput = Type.Object(
  {
    options: Type.Array(Type.String({ minLength: 1, maxLength: POST_LIMITS.pollOptionLabel }), {
      minItems: POST_LIMITS.pollOptionsMin,
      maxItems: POST_LIMITS.pollOptionsMax,
    }),
    multipleChoice: Type.Optional(Type.Boolean({ default: false })),
    closesAt: Type.Optional(Instant),
  },
  { additionalProperties: false },
)
export type PollInput = Static<typeof PollInput>

export const CreatePostBody = Type.Object(
  {
    title: Type.Optional(Title),
    body: Body,
    channelId: Type.Optional(Id),
    state: Type.Optional(
      Enum(['draft', 'published'] as const, 'draft keeps it to you; published (default) shows it at once'),
    ),
    publishAt: Type.Optional(Type.String({ format: 'date-time', description: 'Schedules the post (state scheduled)' })),
    mentions: Type.Optional(Mentions),
    poll: Type.Optional(PollInput),
  },
  { additionalProperties: false },
)
export type CreatePostBody = Static<typeof CreatePostBody>

export const UpdatePostBody = Type.Object(
  { title: Type.Optional(Nullable(Title)), body: Type.Optional(Body), mentions: Type.Optional(Mentions) },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdatePostBody = Static<typeof UpdatePostBody>

export const PublishPostBody = Type.Object(
  { publishAt: Type.Optional(Type.String({ format: 'date-time', description: 'Later (scheduled); now when absent' })) },
  { additionalProperties: false },
)
export type PublishPostBody = Static<typeof PublishPostBody>

export const Post = Type.Object(
  {
    id: Id,
    communityId: Id,
    channelId: Nullable(Id),
    authorId: Id,
    title: Nullable(Type.String()),
    body: Type.String(),
    state: Enum(POST_STATES),
    publishAt: Nullable(Instant),
    publishedAt: Nullable(Instant),
    pinned: Type.Boolean(),
    mentions: Type.Array(Id),
    commentCount: Type.Integer(),
    /** The comment the author (or a moderator) accepted as the answer. */
    acceptedCommentId: Nullable(Id),
    reactionCounts: ReactionCounts,
    hasPoll: Type.Boolean(),
    createdAt: Instant,
    editedAt: Nullable(Instant),
    hidden: Type.Boolean({
      description: 'Hidden by moderation: only its author (who sees this flag) and the moderators still see it',
    }),
  },
  { $id: 'CommunityPost', additionalProperties: false },
)
export type Post = Static<typeof Post>

export const CreateCommentBody = Type.Object(
  {
    body: CommentBody,
    parentId: Type.Optional(
      Type.String({ format: 'uuid', description: 'A comment of the post; a reply to a reply joins its thread' }),
    ),
  },
  { additionalProperties: false },
)
export type CreateCommentBody = Static<typeof CreateCommentBody>
export const UpdateCommentBody = Type.Object({ body: CommentBody }, { additionalProperties: false })

export const Comment = Type.Object(
  {
    id: Id,
    postId: Id,
    parentId: Nullable(Id),
    authorId: Id,
    body: Type.String(),
    replyCount: Type.Integer(),
    reactionCounts: ReactionCounts,
    createdAt: Instant,
    editedAt: Nullable(Instant),
    hidden: Type.Boolean({
      description: 'Hidden by moderation: only its author (who sees this flag) and the moderators still see it',
    }),
  },
  { $id: 'CommunityPostComment', additionalProperties: false },
)
export type Comment = Static<typeof Comment>

export const Poll = Type.Object(
  {
    postId: Id,
    multipleChoice: Type.Boolean(),
    closesAt: Nullable(Instant),
    closed: Type.Boolean(),
    options: Type.Array(Type.Object({ id: Id, label: Type.String(), votes: Type.Integer() })),
    totalVoters: Type.Integer(),
    myChoice: Type.Array(Id, { description: 'The options you voted for' }),
  },
  { $id: 'CommunityPostPoll', additionalProperties: false },
)
export type Poll = Static<typeof Poll>

export const VoteBody = Type.Object(
  { optionIds: Type.Array(Id, { minItems: 1, maxItems: POST_LIMITS.pollOptionsMax, uniqueItems: true }) },
  { additionalProperties: false },
)

export const Reacted = Type.Object({ reacted: Type.Boolean(), reactionCounts: ReactionCounts })

export const FeedQuery = Type.Object({
  ...PageQuery.properties,
  channelId: Type.Optional(Type.String({ format: 'uuid', description: 'Only the posts of this channel' })),
})

export const POST_SCHEMAS = [
  Post,
  Comment,
  Poll,
  Page(Type.Ref('CommunityPost'), 'CommunityPostPage'),
  Page(Type.Ref('CommunityPostComment'), 'CommunityPostCommentPage'),
]
