/**
 * What the moderation module asks and changes about posts and comments (through community's
 * index.ts): the facts of a piece of content (for a report's snapshot), the content as a reader
 * may see it (a report needs the reporter to see its target), and the two reversible moderation
 * changes, hiding (hidden_at) and deleting (the soft delete authors and moderators already use).
 * Each change answers whether it changed anything, so an undo or a repeated job is a no-op.
 */
import { and, eq, isNull, sql, type AnyColumn } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { loadVisibleComment } from './comments.service.ts'
import { loadVisiblePost, requireReader } from './post-access.ts'
import { postErrors } from './posts.errors.ts'
import { postComments, posts } from './posts.tables.ts'

export type ContentKind = 'post' | 'comment'

export interface ContentFacts {
  kind: ContentKind
  id: string
  communityId: string
  /** The post itself, or the post a comment belongs to. */
  postId: string
  authorId: string
  title: string | null
  body: string
  deleted: boolean
  hidden: boolean
}

/** The content in any state (deleted and hidden included), or null when there is none. */
export async function contentFacts(tx: Tx, kind: ContentKind, id: string): Promise<ContentFacts | null> {
  if (kind === 'post') {
    const [row] = await tx.select().from(posts).where(eq(posts.id, id))
    if (!row) return null
    return {
      kind,
      id,
      communityId: row.communityId,
      postId: row.id,
      authorId: row.authorId,
      title: row.title,
      body: row.body,
      deleted: row.deletedAt !== null,
      hidden: row.hiddenAt !== null,
    }
  }
  const [row] = await tx
    .select({ comment: postComments, communityId: posts.communityId })
    .from(postComments)
    .innerJoin(posts, eq(posts.id, postComments.postId))
    .where(eq(postComments.id, id))
  if (!row) return null
  return {
    kind,
    id,
    communityId: row.communityId,
    postId: row.comment.postId,
    authorId: row.comment.authorId,
    title: null,
    body: row.comment.body,
    deleted: row.comment.deletedAt !== null,
    hidden: row.comment.hiddenAt !== null,
  }
}

/**
 * The content as the caller may read it, by the community's own reading rules (a reader of the
 * community, a post they may see); 404 (COMMUNITY_NOT_FOUND, POST_NOT_FOUND, COMMENT_NOT_FOUND)
 * for anything else, so a report tells a stranger nothing about what exists.
 */
export async function readableContent(
  tx: Tx,
  ctx: RequestContext,
  kind: ContentKind,
  id: string,
): Promise<ContentFacts> {
  const facts = await contentFacts(tx, kind, id)
  const notFound = kind === 'post' ? postErrors.postNotFound(id) : postErrors.commentNotFound(id)
  if (!facts || facts.deleted) throw notFound
  const who = await requireReader(tx, ctx, facts.communityId)
  if (kind === 'post') await loadVisiblePost(tx, who, id)
  else await loadVisibleComment(tx, who, id)
  return facts
}

/** Hides (or shows again) the content; false when it already was so (or is gone). */
export async function setContentHidden(tx: Tx, kind: ContentKind, id: string, hidden: boolean): Promise<boolean> {
  const table = kind === 'post' ? posts : postComments
  const changed = await tx
    .update(table)
    .set({ hiddenAt: hidden ? new Date() : null })
    .where(and(eq(table.id, id), hidden ? isNull(table.hiddenAt) : sql`${table.hiddenAt} IS NOT NULL`))
    .returning({ id: table.id })
  return changed.length > 0
}

/**
 * Deletes (softly) or restores the content, keeping the post's comment count and the thread's
 * reply count as the author's own delete does; false when it already was so.
 */
export async function setContentDeleted(
  tx: Tx,
  kind: ContentKind,
  id: string,
  deleted: boolean,
  by: string | null,
): Promise<boolean> {
  const state = (column: AnyColumn) => (deleted ? isNull(column) : sql`${column} IS NOT NULL`)
  if (kind === 'post') {
    const changed = await tx
      .update(posts)
      .set(
        deleted
          ? { deletedAt: new Date(), deletedBy: by, pinnedAt: null, pinnedBy: null }
          : { deletedAt: null, deletedBy: null },
      )
      .where(and(eq(posts.id, id), state(posts.deletedAt)))
      .returning({ id: posts.id })
    return changed.length > 0
  }
  const [comment] = await tx
    .update(postComments)
    .set(deleted ? { deletedAt: new Date(), deletedBy: by } : { deletedAt: null, deletedBy: null })
    .where(and(eq(postComments.id, id), state(postComments.deletedAt)))
    .returning()
  if (!comment) return false
  const step = deleted ? -1 : 1
  await tx
    .update(posts)
    .set({ commentCount: sql`greatest(${posts.commentCount} + ${step}, 0)` })
    .where(eq(posts.id, comment.postId))
  if (comment.parentId)
    await tx
      .update(postComments)
      .set({ replyCount: sql`greatest(${postComments.replyCount} + ${step}, 0)` })
      .where(eq(postComments.id, comment.parentId))
  return true
}
