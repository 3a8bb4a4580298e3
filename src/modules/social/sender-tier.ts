/**
 * The port the DM policy reads a sender's tier through (layer 5, a tenant's minimum tier). The
 * gamification module implements it and app.ts passes it to createSocialModule: social never
 * imports gamification (which imports community, which imports social).
 */
import type { Tx } from '../../platform/db/database.ts'

/** The sender's tier rank in the tenant, 0 (the lowest) up. */
export type SenderTierSource = (tx: Tx, tenantId: string, userId: string) => Promise<number>

/** Without a tier source every sender is at rank 0: a tenant's tier minimum then refuses non-followers. */
export const noTiers: SenderTierSource = async () => 0
