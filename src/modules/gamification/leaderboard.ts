/**
 * Leaderboards from the running totals (gamification.tables.ts): a page is an index scan of the
 * partial index point_totals_board_idx (points desc, user desc) from the cursor on; the ranks on a
 * page and a member's own rank are one indexed count each, however many members there are.
 * Competition ranking: members with equal points share a rank, the next rank skips.
 *
 * The scope conditions are written as SQL literals (`points > 0 AND NOT hidden`), the index's own
 * predicate, so the planner proves the partial index applies without depending on parameters.
 */
import { and, asc, desc, eq, isNull, sql, type SQL } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../platform/db/database.ts'
import { keysetCursor, positiveInteger, uuid, type PageResult } from '../../platform/http/pagination.ts'
import { pointTotals } from './gamification.tables.ts'
import type { LeaderboardEntry } from './gamification.schemas.ts'

export const boardCursor = keysetCursor(positiveInteger, uuid)

export interface Board {
  tenantId: string
  /** Null: the tenant-wide board. */
  communityId: string | null
  /** `all` or YYYY-MM. */
  period: string
}

/** The rows of one board that are on it: points above 0, not hidden (a banned member). */
export function onBoard(board: Board): SQL {
  return and(
    eq(pointTotals.tenantId, board.tenantId),
    board.communityId === null ? isNull(pointTotals.communityId) : eq(pointTotals.communityId, board.communityId),
    eq(pointTotals.period, board.period),
    sql`${pointTotals.points} > 0 AND NOT ${pointTotals.hidden}`,
  )!
}

/** The top of the board from the cursor on. */
export function topQuery(board: Board, after: [number, string] | undefined, limit: number) {
  return (tx: Tx) =>
    tx
      .select({ userId: pointTotals.userId, points: pointTotals.points })
      .from(pointTotals)
      .where(and(onBoard(board), boardCursor.after(after, [pointTotals.points, pointTotals.userId], 'desc')))
      // community_id first: constant either way, but an `IS NULL` (the tenant board) is no
      // equality to the planner, so without it the index order would not be seen to match.
      .orderBy(asc(pointTotals.communityId), desc(pointTotals.points), desc(pointTotals.userId))
      .limit(limit)
}

/** How many on the board have more points than `points` (a rank is that plus one). */
export function aheadQuery(board: Board, points: number): SQL {
  return sql`SELECT count(*)::int AS ahead FROM ${pointTotals} WHERE ${onBoard(board)} AND ${pointTotals.points} > ${points}`
}

export async function leaderboardPage(
  tx: Tx,
  board: Board,
  query: { cursor?: string; limit: number },
): Promise<PageResult<LeaderboardEntry>> {
  const after = boardCursor.decode(query.cursor)
  const rows = await topQuery(board, after, query.limit + 1)(tx)
  const page = boardCursor.page(rows, query.limit, (row) => [row.points, row.userId])
  const first = page.data[0]
  if (!first) return { data: [], nextCursor: page.nextCursor }
  // Ahead of the page's first row: everyone with more points, and its equals on earlier pages.
  const [counts] = await rowsOf<{ ahead: number; equalsBefore: number }>(
    tx,
    sql`SELECT count(*) FILTER (WHERE ${pointTotals.points} > ${first.points})::int AS ahead,
               count(*) FILTER (WHERE ${pointTotals.points} = ${first.points} AND ${pointTotals.userId} > ${first.userId})::int AS "equalsBefore"
          FROM ${pointTotals} WHERE ${onBoard(board)} AND ${pointTotals.points} >= ${first.points}`,
  )
  const ahead = counts?.ahead ?? 0
  const before = ahead + (counts?.equalsBefore ?? 0)
  let rank = ahead + 1
  const data = page.data.map((row, index) => {
    if (row.points !== first.points && row.points !== page.data[index - 1]?.points) rank = before + index + 1
    return { rank, userId: row.userId, points: row.points }
  })
  return { data, nextCursor: page.nextCursor }
}

/** The member's points on the board and their rank (null without points there). */
export async function rankOf(tx: Tx, board: Board, userId: string): Promise<{ points: number; rank: number | null }> {
  const [mine] = await tx
    .select({ points: pointTotals.points, hidden: pointTotals.hidden })
    .from(pointTotals)
    .where(
      and(
        eq(pointTotals.tenantId, board.tenantId),
        board.communityId === null ? isNull(pointTotals.communityId) : eq(pointTotals.communityId, board.communityId),
        eq(pointTotals.period, board.period),
        eq(pointTotals.userId, userId),
      ),
    )
  if (!mine || mine.points <= 0 || mine.hidden) return { points: mine?.points ?? 0, rank: null }
  const [row] = await rowsOf<{ ahead: number }>(tx, aheadQuery(board, mine.points))
  return { points: mine.points, rank: (row?.ahead ?? 0) + 1 }
}
