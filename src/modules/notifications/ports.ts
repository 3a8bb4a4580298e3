/**
 * What the notification center asks other modules, as ports app.ts wires to their index.ts
 * functions (identity's notificationRecipient, tenancy's readTenantSite): notifications never
 * reads another module's tables.
 */
import type { Tx } from '../../platform/db/database.ts'

export interface RecipientMember {
  email: string
  displayName: string | null
  active: boolean
  locale: string | null
  timeZone: string | null
}

export interface RecipientSite {
  name: string
  /** The tenant's host on this deployment (where the unsubscribe link points). */
  origin: string
  defaultLocale: string
  timeZone: string
  /** The tenant's own web client; notification links lead there (none without it). */
  webAppUrl: string | null
  branding: { logoUrl: string | null; primaryColor: string | null; senderName: string | null }
}

export interface NotificationPorts {
  /** A member of the transaction's tenant; undefined when unknown. */
  member(tx: Tx, userId: string): Promise<RecipientMember | undefined>
  /** Display names of members (for "X mentioned you"); unknown ids are absent. */
  displayNames(tx: Tx, userIds: string[]): Promise<Map<string, string | null>>
  /** The transaction's tenant as a site. */
  site(tx: Tx, tenantId: string): Promise<RecipientSite>
}
