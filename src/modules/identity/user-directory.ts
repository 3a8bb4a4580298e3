/**
 * What other modules need to know about users, as functions of the module that owns them (the
 * tables stay private to identity): addresses and names for mail and certificates, the
 * enrolment import's lookup by email, and catalogue's co-instructor check. Each reads in the
 * caller's transaction, so row-level security keeps it to the caller's tenant.
 */
import { and, eq, inArray } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { memberships, users } from './identity.tables.ts'

export interface UserContact {
  id: string
  email: string
  displayName: string | null
}

/** The user with their address, name and status (active or disabled); undefined when unknown. */
export async function findUser(tx: Tx, userId: string): Promise<(UserContact & { status: string }) | undefined> {
  const [row] = await tx
    .select({ id: users.id, email: users.email, displayName: users.displayName, status: users.status })
    .from(users)
    .where(eq(users.id, userId))
  return row
}

/** The user's address and name while their account is active; undefined otherwise. */
export async function activeUser(tx: Tx, userId: string): Promise<UserContact | undefined> {
  const [row] = await tx
    .select({ id: users.id, email: users.email, displayName: users.displayName })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.status, 'active')))
  return row
}

/** Active users' ids by their (lower-cased) email. */
export async function activeUserIdsByEmail(tx: Tx, emails: string[]): Promise<Map<string, string>> {
  if (emails.length === 0) return new Map()
  const rows = await tx
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(and(inArray(users.email, emails), eq(users.status, 'active')))
  return new Map(rows.map((r) => [r.email, r.id]))
}

/** Address and name of several users in one query (whatever their status), by id. */
export async function userContacts(tx: Tx, userIds: string[]): Promise<Map<string, UserContact>> {
  if (userIds.length === 0) return new Map()
  const rows = await tx
    .select({ id: users.id, email: users.email, displayName: users.displayName })
    .from(users)
    .where(inArray(users.id, userIds))
  return new Map(rows.map((r) => [r.id, r]))
}

/** Whether the user is an active member of the transaction's tenant holding the instructor role. */
export async function isActiveInstructor(tx: Tx, userId: string): Promise<boolean> {
  const rows = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.userId, userId), eq(memberships.role, 'instructor'), eq(users.status, 'active')))
  return rows.length > 0
}

/** What the social module's DM policy asks about members: active or not, since when, email verified. */
export interface UserStanding {
  id: string
  active: boolean
  createdAt: Date
  emailVerified: boolean
}

/** The standing of several users in one query, by id; unknown users (or another tenant's) are absent. */
export async function userStandings(tx: Tx, userIds: readonly string[]): Promise<Map<string, UserStanding>> {
  if (userIds.length === 0) return new Map()
  const rows = await tx
    .select({ id: users.id, status: users.status, createdAt: users.createdAt, emailVerifiedAt: users.emailVerifiedAt })
    .from(users)
    .where(inArray(users.id, [...userIds]))
  return new Map(
    rows.map((r) => [
      r.id,
      { id: r.id, active: r.status === 'active', createdAt: r.createdAt, emailVerified: r.emailVerifiedAt !== null },
    ]),
  )
}

/** The member's IANA time zone (PATCH /v1/me); null when they chose none (callers use UTC). */
export async function timeZoneOf(tx: Tx, userId: string): Promise<string | null> {
  const [row] = await tx.select({ timeZone: users.timeZone }).from(users).where(eq(users.id, userId))
  return row?.timeZone ?? null
}

/** What the notification center needs to reach a member: address, status, language and time zone. */
export interface NotificationRecipient extends UserContact {
  active: boolean
  /** BCP 47 tag the member chose; null: the tenant's default. */
  locale: string | null
  /** IANA time zone the member chose; null: the tenant's. */
  timeZone: string | null
}

/** The member as the notification center addresses them; undefined when unknown in the transaction's tenant. */
export async function notificationRecipient(tx: Tx, userId: string): Promise<NotificationRecipient | undefined> {
  const [row] = await tx
    .select({
      id: users.id,
      email: users.email,
      displayName: users.displayName,
      status: users.status,
      locale: users.locale,
      timeZone: users.timeZone,
    })
    .from(users)
    .where(eq(users.id, userId))
  if (!row) return undefined
  const { status, ...rest } = row
  return { ...rest, active: status === 'active' }
}
