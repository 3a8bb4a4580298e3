/**
 * The revenue policy postings apply: the tenant's platform fee, and who shares the instructors'
 * part of a course's sales. Configured shares apply to the instructors who still teach the
 * course (their weights, renormalised by allocate); a course without configured shares, or whose
 * configured instructors all left it, splits equally among its current instructors.
 */
import { and, eq } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { courseStaffIds } from '../../catalogue/index.ts'
import { revenueSettings, revenueShares } from './revenue.tables.ts'
import { equalShares, type SellerShare } from './split.ts'

/** The platform's fee when a tenant has not set one: 30 % of each sale's revenue net of tax. */
export const DEFAULT_PLATFORM_FEE_BPS = 3000

export async function platformFeeBps(tx: Tx, tenantId: string): Promise<number> {
  const [row] = await tx
    .select({ bps: revenueSettings.platformFeeBps })
    .from(revenueSettings)
    .where(eq(revenueSettings.tenantId, tenantId))
  return row?.bps ?? DEFAULT_PLATFORM_FEE_BPS
}

export interface CourseShares {
  /** configured: set by an administrator; default: the equal split among the instructors. */
  source: 'configured' | 'default'
  shares: SellerShare[]
}

/** The configured rows of a course, sorted by user id (none: the course uses the default). */
export async function configuredShares(tx: Tx, tenantId: string, courseId: string): Promise<SellerShare[]> {
  const rows = await tx
    .select({ userId: revenueShares.userId, shareBps: revenueShares.shareBps })
    .from(revenueShares)
    .where(and(eq(revenueShares.tenantId, tenantId), eq(revenueShares.courseId, courseId)))
    .orderBy(revenueShares.userId)
  return rows
}

/** The shares a sale of the course is split by now. */
export async function effectiveShares(tx: Tx, tenantId: string, courseId: string): Promise<CourseShares> {
  const staff = await courseStaffIds(tx, courseId)
  const configured = await configuredShares(tx, tenantId, courseId)
  const teaching = configured.filter((share) => staff.has(share.userId))
  if (teaching.length > 0) return { source: 'configured', shares: teaching }
  return { source: 'default', shares: equalShares([...staff]) }
}
