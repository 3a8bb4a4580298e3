/** Rows as the API shows them. */
import type { Comment, Post } from './posts.schemas.ts'
import type { CommentRow, PostRow } from './posts.tables.ts'

const iso = (at: Date | null) => (at === null ? null : at.toISOString())

export function presentPost(row: PostRow, hasPoll: boolean): Post {
  return {
    id: row.id,
    communityId: row.communityId,
    channelId: row.channelId,
    authorId: row.authorId,
    title: row.title,
    body: row.body,
    state: row.state,
    publishAt: iso(row.publishAt),
    publishedAt: iso(row.publishedAt),
    pinned: row.pinnedAt !== null,
    mentions: row.mentions,
    commentCount: row.commentCount,
    acceptedCommentId: row.acceptedCommentId,
    reactionCounts: row.reactionCounts as Record<string, number>,
    hasPoll,
    createdAt: row.createdAt.toISOString(),
    editedAt: iso(row.editedAt),
    hidden: row.hiddenAt !== null,
  }
}

export function presentComment(row: CommentRow): Comment {
  return {
    id: row.id,
    postId: row.postId,
    parentId: row.parentId,
    authorId: row.authorId,
    body: row.body,
    replyCount: row.replyCount,
    reactionCounts: row.reactionCounts as Record<string, number>,
    createdAt: row.createdAt.toISOString(),
    editedAt: iso(row.editedAt),
    hidden: row.hiddenAt !== null,
  }
}
