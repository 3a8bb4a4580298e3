/**
 * The in-app inbox of the signed-in member: newest first with keyset pages, filtered unread or
 * archived; the unread count; marking one or all read and archiving. A member only ever sees
 * their own items (the queries filter by the caller; RLS keeps the tenant).
 */
import { and, count, desc, eq, isNotNull, isNull, sql } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PageResult } from '../../platform/http/pagination.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { notificationsErrors } from './notifications.errors.ts'
import type { InboxQuery, Notification } from './notifications.schemas.ts'
import { inboxItems } from './notifications.tables.ts'

const inboxCursor = keysetCursor(instant, uuid)
type InboxRow = typeof inboxItems.$inferSelect

export function personOf(ctx: RequestContext): { tenantId: string; userId: string } {
  const principal = ctx.principal
  if (principal.kind !== 'user' || !ctx.tenantId) throw notificationsErrors.personRequired()
  return { tenantId: ctx.tenantId, userId: principal.userId }
}

export function presentItem(row: InboxRow): Notification {
  return {
    id: row.id,
    type: row.type,
    title: row.title,
    body: row.body,
    path: row.path,
    read: row.readAt !== null,
    archived: row.archivedAt !== null,
    readAt: row.readAt?.toISOString() ?? null,
    archivedAt: row.archivedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  }
}

const filterOf = (filter: InboxQuery['filter']) =>
  filter === 'unread'
    ? and(isNull(inboxItems.readAt), isNull(inboxItems.archivedAt))
    : filter === 'archived'
      ? isNotNull(inboxItems.archivedAt)
      : filter === 'all'
        ? undefined
        : isNull(inboxItems.archivedAt)

/** Unread, not archived: what the badge shows. */
export async function unreadCountOf(tx: Tx, userId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(inboxItems)
    .where(and(eq(inboxItems.userId, userId), isNull(inboxItems.readAt), isNull(inboxItems.archivedAt)))
  return row?.n ?? 0
}

export function createInboxService() {
  async function change(ctx: RequestContext, id: string, set: Partial<InboxRow>, only: ReturnType<typeof and>) {
    const me = personOf(ctx)
    return ctx.inTenant(async (tx) => {
      const mine = and(eq(inboxItems.id, id), eq(inboxItems.userId, me.userId))
      // Only a change stamps the time: marking read twice keeps the first instant.
      await tx.update(inboxItems).set(set).where(and(mine, only))
      const [row] = await tx.select().from(inboxItems).where(mine)
      if (!row) throw notificationsErrors.notFound(id)
      return presentItem(row)
    })
  }

  return {
    async list(ctx: RequestContext, query: InboxQuery): Promise<PageResult<Notification>> {
      const me = personOf(ctx)
      const limit = query.limit ?? 20
      const after = inboxCursor.decode(query.cursor)
      const rows = await ctx.inTenant(
        (tx) =>
          tx
            .select({ item: inboxItems, position: instantText(inboxItems.createdAt) })
            .from(inboxItems)
            .where(
              and(
                eq(inboxItems.userId, me.userId),
                filterOf(query.filter),
                inboxCursor.after(after, [inboxItems.createdAt, inboxItems.id], 'desc'),
              ),
            )
            .orderBy(desc(inboxItems.createdAt), desc(inboxItems.id))
            .limit(limit + 1),
        { readOnly: true, singleStatement: true },
      )
      const page = inboxCursor.page(rows, limit, (row) => [row.position, row.item.id])
      return { nextCursor: page.nextCursor, data: page.data.map((row) => presentItem(row.item)) }
    },

    async unreadCount(ctx: RequestContext): Promise<{ unread: number }> {
      const me = personOf(ctx)
      const unread = await ctx.inTenant((tx) => unreadCountOf(tx, me.userId), { readOnly: true, singleStatement: true })
      return { unread }
    },

    markRead: (ctx: RequestContext, id: string) =>
      change(ctx, id, { readAt: sql`now()` as unknown as Date }, isNull(inboxItems.readAt)),

    archive: (ctx: RequestContext, id: string) =>
      change(ctx, id, { archivedAt: sql`now()` as unknown as Date }, isNull(inboxItems.archivedAt)),

    async markAllRead(ctx: RequestContext): Promise<{ marked: number }> {
      const me = personOf(ctx)
      const rows = await ctx.inTenant((tx) =>
        tx
          .update(inboxItems)
          .set({ readAt: sql`now()` })
          .where(and(eq(inboxItems.userId, me.userId), isNull(inboxItems.readAt)))
          .returning({ id: inboxItems.id }),
      )
      return { marked: rows.length }
    },
  }
}

export type InboxService = ReturnType<typeof createInboxService>
